"""Form widgets every app may use."""

from django import forms
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
