"""Thai text in user data, marked for readers of the English pages.

A builtin library (settings TEMPLATES OPTIONS builtins), so templates use it without
{% load %}:

    {{ enterprise.name|lang_th }}   <span lang="th">เกาะคาเซรามิก</span> on an English page

A screen reader then reads the name with a Thai voice, and the browser picks Thai fonts
and line breaking for it. On Thai pages, and for text with no Thai letters, the value is
shown as it is. Only for text content, never inside an attribute. A template rendered
with autoescaping off is plain text (an email, a mail subject): there the value is left
as it is too, so one subject.txt serves the mail and the inbox page.
"""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from toolkit import thaidates

register = template.Library()

_THAI_LETTER = re.compile("[\u0e01-\u0e5b]")


def has_thai(text):
    """Whether `text` has any Thai letter, vowel, mark or digit."""
    return bool(_THAI_LETTER.search(str(text)))


@register.filter(needs_autoescape=True)
def lang_th(value, autoescape=True):
    """`value`, wrapped in <span lang="th"> when the page is not Thai and the text is."""
    if value is None or value == "":
        return value
    if not autoescape or thaidates.is_thai() or not has_thai(value):
        return value
    return format_html('<span lang="th">{}</span>', value)


@register.filter(needs_autoescape=True)
def lang_th_attr(value, autoescape=True):
    """' lang="th"' for an element holding `value` when lang_th would wrap it, else ''.

    For blocks a span cannot wrap, such as the paragraphs of |linebreaks:
    <div{{ product.description|lang_th_attr }}>{{ product.description|linebreaks }}</div>
    """
    if not value or not autoescape or thaidates.is_thai() or not has_thai(value):
        return ""
    return mark_safe(' lang="th"')
