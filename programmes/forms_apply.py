from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.models import Product, ProductStatus
from toolkit.thaisort import thai_order

SUBMIT = "submit"
ANSWER_MAX_LENGTH = 5000


def answer_field_name(question):
    return f"question_{question.pk}"


def applicable_products(intake, enterprise):
    """The enterprise's products this intake may upgrade (all when it names no category)."""
    products = (
        Product.objects.filter(enterprise=enterprise)
        .exclude(status=ProductStatus.ARCHIVED)
        .select_related("category")
        .order_by(thai_order("name_th"), "pk")
    )
    categories = list(intake.eligible_categories.values_list("pk", flat=True))
    if categories:
        products = products.filter(Q(category__in=categories) | Q(category__parent__in=categories))
    return products


def products_left_out(intake, enterprise):
    """The enterprise's products outside the intake's categories, to say why they are missing."""
    if not intake.eligible_categories.exists():
        return Product.objects.none()
    return (
        Product.objects.filter(enterprise=enterprise)
        .exclude(status=ProductStatus.ARCHIVED)
        .exclude(pk__in=applicable_products(intake, enterprise).values("pk"))
    )


class ApplicationForm(forms.Form):
    """Products to upgrade and answers to the intake's questions.

    A draft may be incomplete; submitting needs a product and every required answer.
    """

    products = forms.ModelMultipleChoiceField(
        label=_("Products to upgrade"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, intake, enterprise, enrolment=None, submitting=False, **kwargs):
        self.questions = list(intake.questions.all())
        if enrolment is not None and "initial" not in kwargs:
            answers = {a.question_id: a.text for a in enrolment.answers.all()}
            kwargs["initial"] = {
                "products": list(enrolment.products.all()),
                **{answer_field_name(q): answers.get(q.pk, "") for q in self.questions},
            }
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.fields["products"].queryset = applicable_products(intake, enterprise).with_cover()
        for question in self.questions:
            self.fields[answer_field_name(question)] = forms.CharField(
                label=question.text,
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[answer_field_name(question)].question = question

    def answer_fields(self):
        return [self[answer_field_name(q)] for q in self.questions]

    def clean(self):
        cleaned = super().clean()
        if not self.submitting:
            return cleaned
        if "products" in cleaned and not cleaned["products"]:
            self.add_error("products", _("Choose at least one product to upgrade."))
        for question in self.questions:
            name = answer_field_name(question)
            if question.required and name in cleaned and not cleaned[name].strip():
                self.add_error(name, _("Answer this question before you submit."))
        return cleaned

    def answers(self):
        return {q.pk: self.cleaned_data[answer_field_name(q)] for q in self.questions}
