"""Links of the list pages that keep the current search and filters.

{% load listing %}
<a href="{% query_with page=3 %}">3</a>    ?q=เกาะคา&province=52&page=3

{% translate "Name" as label %}
{% sort_header "name" label default=True %}    a <th> that sorts by name or reverses it
"""

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from toolkit.widgets import QuickSelect

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


@register.simple_tag
def filter_field(field):
    """A list filter's field as crispy-bootstrap5 renders it, built in Python.

    The filter panels of the officers' lists and the review queue have 7-9 selects and
    number boxes; rendered through crispy's templates (several includes per field, one
    per <option>) they took about half of a list page's time, more than its SQL. The HTML
    is the same: label, widget with Bootstrap's classes, errors and help text.
    """
    widget = field.field.widget
    errors = field.errors
    field_id = field.auto_id
    is_select = isinstance(widget, forms.Select)
    classes = "select form-select" if is_select else f"{widget.input_type}input form-control"
    attrs = {"class": classes + (" is-invalid" if errors else ""), "id": field_id}
    described_by = []
    if errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        described_by.append(f"{field_id}_helptext")
    if errors:
        described_by.append(f"{field_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if is_select:
        quick = QuickSelect(attrs=widget.attrs, choices=widget.choices)
        control = quick.render(field.html_name, field.value(), attrs=attrs)
    else:
        control = field.as_widget(attrs=attrs)
    parts = [
        format_html('<div id="div_{}" class="mb-3">', field_id),
        format_html('<label for="{}" class="form-label">{}</label>', field_id, field.label),
        control,
    ]
    if errors:
        parts.append(format_html('<div id="{}_error" class="invalid-feedback">', field_id))
        parts.extend(
            format_html('<p id="error_{}_{}"><strong>{}</strong></p>', n, field_id, error)
            for n, error in enumerate(errors, start=1)
        )
        parts.append(mark_safe("</div>"))
    if field.help_text:
        parts.append(
            format_html(
                '<div id="{}_helptext" class="form-text">{}</div>', field_id, field.help_text
            )
        )
    parts.append(mark_safe("</div>"))
    return mark_safe("".join(str(part) for part in parts))
