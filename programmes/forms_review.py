"""Forms of the officers' review: one decision, and a decision on several applications."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Enrolment, EnrolmentStatus
from .services import DECISIONS, NOTE_REQUIRED

S = EnrolmentStatus

# The officer's words for each decision, in the order the buttons appear.
DECISION_LABELS = {
    S.UNDER_REVIEW: _("Start review"),
    S.ACCEPTED: _("Accept"),
    S.WAITLISTED: _("Waitlist"),
    S.RETURNED: _("Return for changes"),
    S.REJECTED: _("Reject"),
    S.ACTIVE: _("Start participation"),
    S.COMPLETED: _("Mark completed"),
}
# Bootstrap button colours of the decisions.
DECISION_STYLES = {
    S.UNDER_REVIEW: "outline-secondary",
    S.ACCEPTED: "success",
    S.WAITLISTED: "warning",
    S.RETURNED: "outline-primary",
    S.REJECTED: "outline-danger",
    S.ACTIVE: "primary",
    S.COMPLETED: "primary",
}
NOTE_MAX_LENGTH = 2000


def decisions_for(status):
    """(value, label, style) of each decision an application in `status` allows."""
    return [
        (decision.value, label, DECISION_STYLES[decision])
        for decision, label in DECISION_LABELS.items()
        if status in DECISIONS[decision]
    ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=list(DECISION_LABELS.items()))
    note = forms.CharField(
        label=_("Note to the applicant"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject or return an application; the applicant sees it."),
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision in NOTE_REQUIRED and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Write a note that tells the applicant why."))
        return cleaned


class BulkDecisionForm(DecisionForm):
    """Several applications, chosen by id among those the officer may see."""

    enrolments = forms.ModelMultipleChoiceField(
        queryset=Enrolment.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one application in the table.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Drafts are the applicant's until submitted; the queue never lists them.
        self.fields["enrolments"].queryset = Enrolment.objects.visible_to(user).exclude(
            status=EnrolmentStatus.DRAFT
        )
