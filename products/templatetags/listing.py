"""Links of the list pages that keep the current search and filters.

{% load listing %}
<a href="{% query_with page=3 %}">3</a>    ?q=เกาะคา&province=52&page=3

{% translate "Name" as label %}
{% sort_header "name" label default=True %}    a <th> that sorts by name or reverses it
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with `changes` applied; a value of None removes the key."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


@register.inclusion_tag("includes/sort_link.html", takes_context=True)
def sort_header(context, key, label, default=False, css=""):
    """A column heading that sorts by `key`, ascending first; a second click reverses it.

    `default` marks the key the list is sorted by when the query names none; `css` are
    classes for the <th> (to hide a column on phones, say).
    """
    current = context["request"].GET.get("sort") or (key if default else "")
    if current == key:
        direction, next_key = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, next_key = "descending", key
    else:
        direction, next_key = None, key
    return {
        "label": label,
        "css": css,
        "direction": direction,
        "url": query_with(context, sort=next_key, page=None),
    }
