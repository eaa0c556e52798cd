"""Form widgets every app may use."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class FilterableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes in a scrolling box with a box to filter them and a live count of ticks.

    For a long list (77 provinces) where a multi-select would need Ctrl-click, which no
    phone has. The filter box appears only with JavaScript (static/js/filterable-checks.js);
    without it the list still scrolls and ticks. Each option is found by its label and,
    for model choices, by the instance's Thai and English names and code. Render the
    field with includes/filterable_checkboxes.html, which adds the fieldset and legend.
    """

    template_name = "toolkit/widgets/filterable_checkboxes.html"

    def __init__(self, attrs=None, choices=(), *, filter_label=None, none_chosen=None):
        super().__init__(attrs, choices)
        self.filter_label = filter_label or _("Find in the list")
        self.none_chosen = none_chosen or _("None chosen")

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        words = [str(label)]
        for attribute in ("name_th", "name_en", "code"):
            words.append(str(getattr(instance, attribute, "") or ""))
        option["search_text"] = " ".join(dict.fromkeys(word for word in words if word))
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            filter_label=self.filter_label,
            none_chosen=self.none_chosen,
            # The script puts the number in place of {count}.
            some_chosen=_("%(count)s chosen") % {"count": "{count}"},
            chosen_count=len([v for v in context["widget"]["value"] if v not in ("", None)]),
        )
        return context


class QuickSelect(forms.Select):
    """A select rendered in Python, not through one template per option.

    Django renders each <option> with its own template include: about 60 ms for the
    928 districts of the showcase's filter, more than the rest of the page. The HTML is
    the same as forms.Select's (option groups included).
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, sub_label, chosen) for v, sub_label in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(value, label, chosen):
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{selected}>{conditional_escape(label)}</option>'
