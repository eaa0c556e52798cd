"""The officers' review queue: who may use it, filters, the side panel, decisions one by
one (htmx and plain) and in bulk with a preview of the notices, and its query count."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from entrepreneurs.models import EnterpriseKind, VerificationStatus
from notifications.models import Notification
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus, IntakeQuestion
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    UserFactory,
    subdistrict,
)

S = EnrolmentStatus
QUEUE = reverse("programmes:review_queue")
BULK_PREVIEW = reverse("programmes:review_bulk_preview")
BULK_DECIDE = reverse("programmes:review_bulk_decide")
MUEANG_LAMPANG = "520101"
CHIANG_MAI = "500101"
HTMX = {"HTTP_HX_REQUEST": "true"}


def apply(intake, *, status=S.SUBMITTED, owner=None, place="520301", minutes_ago=60, **kwargs):
    """An application of a fresh verified enterprise (owned by `owner`) with one product."""
    enterprise = EnterpriseFactory(
        owner=owner,
        subdistrict=subdistrict(place),
        status=VerificationStatus.VERIFIED,
        **kwargs,
    )
    product = ProductFactory(enterprise=enterprise)
    enrolment = Enrolment.objects.create(
        intake=intake,
        enterprise=enterprise,
        status=status,
        submitted_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )
    enrolment.products.set([product])
    EnrolmentEvent.objects.create(enrolment=enrolment, to_status=status)
    return enrolment


def panel_url(enrolment):
    return reverse("programmes:review_panel", args=[enrolment.pk])


def decide_url(enrolment):
    return reverse("programmes:review_decide", args=[enrolment.pk])


def rows(response):
    return list(response.context["page_obj"])


@pytest.fixture(autouse=True)
def _officer_reads_english(officer):
    """These tests read the queue's English wording; the officer chose English."""
    officer.language = "en"
    officer.save(update_fields=["language"])


@pytest.fixture
def intake(db):
    return IntakeFactory(capacity=2)


@pytest.fixture
def application(intake, owner):
    return apply(intake, owner=owner)


# --- Who may use it -----------------------------------------------------------------------


def test_review_queue_works_for_officers(officer_client, application):
    response = officer_client.get(QUEUE)
    assert response.status_code == 200
    assert rows(response) == [application]
    assert "holds a place" not in response.content.decode()


def test_review_queue_sends_anonymous_to_login(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "outsider", "faculty", "student", "staff_2fa"])
def test_review_pages_are_forbidden_to_other_roles(client, request, person, application):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(QUEUE).status_code == 403
    assert client.get(panel_url(application)).status_code == 403
    response = client.post(decide_url(application), {"decision": "accepted"})
    assert response.status_code == 403
    post = {"enrolments": [application.pk], "decision": "accepted"}
    assert client.post(BULK_PREVIEW, post).status_code == 403
    assert client.post(BULK_DECIDE, post).status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_review_queue_requires_two_factor_for_officers(client, officer, application):
    sign_in(client, officer)
    for response in (client.get(QUEUE), client.get(panel_url(application))):
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_review_decide_rejects_get(officer_client, application):
    assert officer_client.get(decide_url(application)).status_code == 405


# --- Filters -----------------------------------------------------------------------------


def test_review_queue_shows_applications_to_review_by_default(officer_client, intake):
    submitted = apply(intake, minutes_ago=30)
    reviewing = apply(intake, status=S.UNDER_REVIEW, minutes_ago=20)
    accepted = apply(intake, status=S.ACCEPTED)
    apply(intake, status=S.DRAFT)
    assert rows(officer_client.get(QUEUE)) == [submitted, reviewing]
    assert rows(officer_client.get(QUEUE, {"status": "accepted"})) == [accepted]
    # Drafts are the applicant's business until submitted.
    assert len(rows(officer_client.get(QUEUE, {"status": "all"}))) == 3


def test_review_queue_filters_by_intake_place_and_kind(officer_client, intake):
    kokha = apply(intake, kind=EnterpriseKind.COMMUNITY_ENTERPRISE)
    mueang = apply(intake, place=MUEANG_LAMPANG, kind=EnterpriseKind.SME)
    chiang_mai = apply(intake, place=CHIANG_MAI, kind=EnterpriseKind.SME)
    other = apply(IntakeFactory())
    assert set(rows(officer_client.get(QUEUE, {"intake": other.intake_id}))) == {other}
    assert set(rows(officer_client.get(QUEUE, {"intake": intake.pk}))) == {
        kokha,
        mueang,
        chiang_mai,
    }
    assert set(rows(officer_client.get(QUEUE, {"province": "50"}))) == {chiang_mai}
    assert set(rows(officer_client.get(QUEUE, {"district": "5203"}))) == {kokha, other}
    assert set(rows(officer_client.get(QUEUE, {"kind": "sme"}))) == {mueang, chiang_mai}


def test_review_queue_header_counts_places_of_the_filtered_intake(officer_client, intake):
    apply(intake, status=S.ACCEPTED)
    apply(intake)
    response = officer_client.get(QUEUE, {"intake": intake.pk})
    assert "1 of 2 places taken" in response.content.decode()


def test_review_queue_marks_places_and_waitlist_positions(officer_client, intake):
    apply(intake, status=S.ACCEPTED)
    apply(intake, status=S.WAITLISTED, minutes_ago=50)
    second = apply(intake, status=S.WAITLISTED, minutes_ago=10)
    response = officer_client.get(QUEUE, {"status": "all"})
    page = response.content.decode()
    assert "holds a place" in page
    assert "number 2 in line" in page
    assert {e.pk: e.waitlist_place for e in rows(response)}[second.pk] == 2


def test_review_queue_answers_the_district_field_for_htmx(officer_client, db):
    response = officer_client.get(
        QUEUE, {"province": "52"}, HTTP_HX_TARGET="district-field", **HTMX
    )
    assert response.templates[0].name == "includes/district_filter.html"
    assert "Ko Kha" in response.content.decode()


# --- The side panel ----------------------------------------------------------------------


def test_review_panel_shows_enterprise_products_answers_and_history(officer_client, intake, owner):
    question = IntakeQuestion.objects.create(intake=intake, text_th="ปัญหาของผลิตภัณฑ์คืออะไร")
    enrolment = apply(intake, owner=owner, registration_code="152030100001")
    enrolment.answers.create(question=question, text="เคลือบแตกลายงา")
    response = officer_client.get(panel_url(enrolment), **HTMX)
    page = response.content.decode()
    assert response.templates[0].name == "programmes/review_panel.html"
    assert enrolment.enterprise.name_th in page
    assert "152030100001" in page
    assert "เกาะคา" in page
    assert enrolment.products.get().name in page
    assert "ปัญหาของผลิตภัณฑ์คืออะไร" in page and "เคลือบแตกลายงา" in page
    assert 'value="accepted"' in page and 'value="under_review"' in page
    assert 'value="active"' not in page


def test_review_panel_without_htmx_is_a_page(officer_client, application):
    response = officer_client.get(panel_url(application))
    assert response.status_code == 200
    assert "programmes/review_panel_page.html" in [t.name for t in response.templates]


def test_review_panel_404_for_unknown_or_draft_application(officer_client, intake):
    draft = apply(intake, status=S.DRAFT)
    assert officer_client.get(panel_url(draft)).status_code == 404
    assert officer_client.get(reverse("programmes:review_panel", args=[99999])).status_code == 404
    response = officer_client.post(decide_url(draft), {"decision": "under_review"})
    assert response.status_code == 404


# --- Decisions, one at a time -----------------------------------------------------------


DECISIONS = [
    (S.SUBMITTED, S.UNDER_REVIEW, ""),
    (S.UNDER_REVIEW, S.ACCEPTED, ""),
    (S.SUBMITTED, S.WAITLISTED, ""),
    (S.UNDER_REVIEW, S.REJECTED, "ยังไม่มีผลิตภัณฑ์ที่พร้อม"),
    (S.SUBMITTED, S.RETURNED, "Add photos of the glaze."),
    (S.ACCEPTED, S.ACTIVE, ""),
    (S.ACTIVE, S.COMPLETED, ""),
]


@pytest.mark.parametrize(("before", "decision", "note"), DECISIONS)
def test_review_decide_with_htmx_updates_panel_and_row(
    officer_client, officer_2fa, intake, owner, before, decision, note
):
    enrolment = apply(intake, owner=owner, status=before)
    response = officer_client.post(
        decide_url(enrolment), {"decision": decision, "note": note, "next": QUEUE}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Decision saved" in page
    assert f'id="review-row-{enrolment.pk}" hx-swap-oob="true"' in page
    enrolment.refresh_from_db()
    assert enrolment.status == decision
    event = enrolment.events.last()
    assert (event.by, event.to_status, event.note) == (officer_2fa, decision, note)
    assert Notification.objects.filter(recipient=owner, kind="enrolment_status").exists()


@pytest.mark.parametrize(("before", "decision", "note"), DECISIONS)
def test_review_decide_without_htmx_redirects_back_with_a_message(
    officer_client, intake, before, decision, note
):
    enrolment = apply(intake, status=before)
    back = f"{QUEUE}?intake={intake.pk}"
    response = officer_client.post(
        decide_url(enrolment), {"decision": decision, "note": note, "next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    assert "Decision saved" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == decision


def test_review_decide_refuses_acceptance_when_the_intake_is_full(officer_client, intake):
    apply(intake, status=S.ACCEPTED)
    apply(intake, status=S.ACTIVE)
    enrolment = apply(intake)
    response = officer_client.post(decide_url(enrolment), {"decision": "accepted"}, **HTMX)
    assert response.status_code == 200
    assert "Every place of this intake is taken" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED


def test_review_decide_refuses_a_transition_the_state_does_not_allow(officer_client, intake):
    enrolment = apply(intake, status=S.REJECTED)
    response = officer_client.post(decide_url(enrolment), {"decision": "accepted"}, **HTMX)
    assert "An application in this state cannot be changed that way." in response.content.decode()
    response = officer_client.post(
        decide_url(enrolment), {"decision": "accepted", "next": QUEUE}, follow=True
    )
    assert "An application in this state cannot be changed that way." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == S.REJECTED


def test_review_decide_asks_for_a_note_to_reject(officer_client, application):
    response = officer_client.post(decide_url(application), {"decision": "rejected"}, **HTMX)
    assert "Write a note that tells the applicant why." in response.content.decode()
    response = officer_client.post(decide_url(application), {"decision": "nonsense"}, **HTMX)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_review_decide_ignores_an_unsafe_next(officer_client, application):
    response = officer_client.post(
        decide_url(application), {"decision": "under_review", "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


@pytest.mark.parametrize("next_url", ["x", "accounts:profile", "ใบสมัคร", "1e309"])
def test_review_decide_goes_back_to_the_queue_when_next_is_not_a_path(
    officer_client, application, next_url
):
    # redirect() takes a bare word for a URL name: this was a 500, the decision lost.
    response = officer_client.post(
        decide_url(application), {"decision": "under_review", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_bulk_send_goes_back_to_the_queue_when_next_is_not_a_path(officer_client, bulk):
    post = {"enrolments": [bulk["thai"].pk], "decision": "under_review", "next": "x"}
    response = officer_client.post(BULK_DECIDE, post)
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    bulk["thai"].refresh_from_db()
    assert bulk["thai"].status == S.UNDER_REVIEW


# --- What a decision in the panel updates on the queue (htmx, out of band) ----------------


def oob(page, tag, element_id):
    """The out-of-band element `element_id` with its whitespace squeezed, or None if not sent."""
    found = re.search(
        rf'<{tag} [^>]*id="{element_id}"[^>]* hx-swap-oob="true">.*?</{tag}>', page, re.S
    )
    return found and " ".join(found.group(0).split())


def text(fragment):
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def oob_row_ids(page):
    return sorted(int(pk) for pk in re.findall(r'id="review-row-(\d+)" hx-swap-oob="true"', page))


def decide_in_panel(client, enrolment, decision, *, next_url, note=""):
    response = client.post(
        decide_url(enrolment), {"decision": decision, "note": note, "next": next_url}, **HTMX
    )
    assert response.status_code == 200
    return response.content.decode()


def test_review_decide_updates_the_places_line_and_the_count(officer_client, intake):
    apply(intake, status=S.ACCEPTED)
    enrolment = apply(intake, status=S.UNDER_REVIEW)
    next_url = f"{QUEUE}?intake={intake.pk}&status=all"
    assert "1 of 2 places taken" in officer_client.get(next_url).content.decode()

    page = decide_in_panel(officer_client, enrolment, "accepted", next_url=next_url)

    places = oob(page, "li", f"intake-places-{intake.pk}")
    assert "2 of 2 places taken" in places and "text-danger" in places
    assert text(oob(page, "p", "review-count")) == "2 applications"
    assert "Accepted" in oob(page, "tr", f"review-row-{enrolment.pk}")


def test_review_decide_updates_the_rows_a_freed_place_promoted(officer_client, intake):
    accepted = apply(intake, status=S.ACCEPTED, minutes_ago=90)
    holding = apply(intake, status=S.ACCEPTED, minutes_ago=80)
    first = apply(intake, status=S.WAITLISTED, minutes_ago=50)
    second = apply(intake, status=S.WAITLISTED, minutes_ago=40)
    third = apply(intake, status=S.WAITLISTED, minutes_ago=30)
    other_intake = apply(IntakeFactory(capacity=5), status=S.WAITLISTED)
    next_url = f"{QUEUE}?status=all"

    page = decide_in_panel(
        officer_client, accepted, "rejected", next_url=next_url, note="ไม่มาร่วมอบรม"
    )

    first.refresh_from_db()
    assert first.status == S.ACCEPTED
    # The rows of the intake on the page: the decided one, the promoted one, and the two
    # still waiting, each one place further up the line. Another intake's row is untouched.
    assert oob_row_ids(page) == sorted(e.pk for e in [accepted, holding, first, second, third])
    assert other_intake.pk not in oob_row_ids(page)
    assert "Rejected" in oob(page, "tr", f"review-row-{accepted.pk}")
    promoted = oob(page, "tr", f"review-row-{first.pk}")
    assert "Accepted" in promoted and "holds a place" in promoted
    assert "number 1 in line" in oob(page, "tr", f"review-row-{second.pk}")
    assert "number 2 in line" in oob(page, "tr", f"review-row-{third.pk}")
    assert "2 of 2 places taken" in oob(page, "li", f"intake-places-{intake.pk}")


def test_review_decide_sends_only_what_the_officers_page_shows(officer_client, intake):
    """The default filter lists applications to review: waitlisted rows are not on it."""
    waiting = apply(intake, status=S.WAITLISTED, minutes_ago=50)
    enrolment = apply(intake, status=S.SUBMITTED)
    listed = apply(intake, status=S.SUBMITTED)
    closed = IntakeFactory(
        capacity=3,
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    late = apply(closed, status=S.UNDER_REVIEW)

    page = decide_in_panel(officer_client, enrolment, "accepted", next_url=QUEUE)

    assert oob_row_ids(page) == sorted([enrolment.pk, listed.pk])
    assert waiting.pk not in oob_row_ids(page)
    assert "1 of 2 places taken" in oob(page, "li", f"intake-places-{intake.pk}")
    # Still listed, but no longer matching "to review": the count says so.
    assert text(oob(page, "p", "review-count")) == "2 applications"

    # A closed intake's places are not in the header unless the queue is filtered to it.
    page = decide_in_panel(officer_client, late, "accepted", next_url=QUEUE)
    assert oob(page, "li", f"intake-places-{closed.pk}") is None
    page = decide_in_panel(officer_client, late, "active", next_url=f"{QUEUE}?intake={closed.pk}")
    assert "1 of 3 places taken" in oob(page, "li", f"intake-places-{closed.pk}")


def test_review_decide_on_the_panels_own_page_sends_no_queue_updates(officer_client, intake):
    enrolment = apply(intake)
    response = officer_client.post(
        decide_url(enrolment),
        {"decision": "accepted", "next": QUEUE},
        HTTP_HX_CURRENT_URL=f"http://testserver{panel_url(enrolment)}?next={QUEUE}",
        **HTMX,
    )
    page = response.content.decode()
    assert "Decision saved" in page
    assert "hx-swap-oob" not in page


# --- Bulk decisions ------------------------------------------------------------------------


@pytest.fixture
def bulk(intake):
    """Three applications, two with a Thai and an English speaking applicant, one rejected."""
    thai = UserFactory(role=Role.ENTREPRENEUR, language="th", full_name="บุญมี ปั้นดี")
    english = UserFactory(role=Role.ENTREPRENEUR, language="en", full_name="Jane Potter")
    return {
        "thai": apply(intake, owner=thai, minutes_ago=30),
        "english": apply(intake, owner=english, minutes_ago=20),
        "rejected": apply(intake, status=S.REJECTED, minutes_ago=10),
    }


def test_bulk_preview_lists_notices_in_each_language_and_refusals(officer_client, bulk):
    post = {"enrolments": [e.pk for e in bulk.values()], "decision": "waitlisted", "next": QUEUE}
    response = officer_client.post(BULK_PREVIEW, post)
    assert response.status_code == 200
    notices = {recipient.language: body for _e, recipient, _s, body in response.context["notices"]}
    assert set(notices) == {"th", "en"}
    assert notices["th"].startswith("เรียน คุณบุญมี ปั้นดี")
    assert notices["en"].startswith("Dear Jane Potter,")
    assert response.context["refused"] == [
        (bulk["rejected"], "An application in this state cannot be changed that way.")
    ]
    page = response.content.decode()
    for enrolment in bulk.values():
        assert f'name="enrolments" value="{enrolment.pk}"' in page
    # Nothing is decided by a preview.
    assert not Notification.objects.exists()
    assert Enrolment.objects.filter(status=S.WAITLISTED).count() == 0


def test_bulk_preview_refuses_acceptances_beyond_the_free_places(officer_client, intake, bulk):
    apply(intake, status=S.ACCEPTED)  # one of two places taken
    post = {"enrolments": [bulk["thai"].pk, bulk["english"].pk], "decision": "accepted"}
    response = officer_client.post(BULK_PREVIEW, post)
    assert response.context["going"] == [bulk["thai"]]
    assert response.context["refused"] == [
        (
            bulk["english"],
            "Every place of this intake is taken. Put the application on the waitlist instead.",
        )
    ]


def test_bulk_preview_shows_the_waitlist_notices_that_freed_places_send(
    officer_client, intake, django_capture_on_commit_callbacks
):
    """Rejecting both accepted applications frees two places: the first two waiting move up."""
    accepted = [apply(intake, status=S.ACCEPTED, minutes_ago=90 - i) for i in range(2)]
    first = UserFactory(role=Role.ENTREPRENEUR, language="en", full_name="Jane Potter")
    second = UserFactory(role=Role.ENTREPRENEUR, language="th", full_name="บุญมี ปั้นดี")
    waiting = [
        apply(intake, status=S.WAITLISTED, owner=first, minutes_ago=30),
        apply(intake, status=S.WAITLISTED, owner=second, minutes_ago=20),
        apply(intake, status=S.WAITLISTED, minutes_ago=10),
    ]
    post = {"enrolments": [e.pk for e in accepted], "decision": "rejected", "note": "ไม่ผ่าน"}
    response = officer_client.post(BULK_PREVIEW, post)
    promotions = response.context["promotions"]
    assert [(e, u) for e, u, _s, _b in promotions] == [(waiting[0], first), (waiting[1], second)]
    assert promotions[0][3].startswith("Dear Jane Potter,")
    assert promotions[1][3].startswith("เรียน คุณบุญมี ปั้นดี")
    assert "2 applications move up from the waitlist" in response.content.decode()
    assert not Notification.objects.exists()

    # What the preview announced is what sending does.
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(BULK_DECIDE, {**post, "next": QUEUE})
    statuses = [Enrolment.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == [S.ACCEPTED, S.ACCEPTED, S.WAITLISTED]
    assert set(Notification.objects.values_list("recipient", flat=True)) >= {first.pk, second.pk}


def test_bulk_preview_names_a_promotion_even_when_nobody_can_be_told(officer_client, intake):
    accepted = apply(intake, status=S.ACCEPTED, minutes_ago=30)
    waiting = apply(intake, status=S.WAITLISTED, minutes_ago=10)  # no member has an account
    post = {"enrolments": [accepted.pk], "decision": "rejected", "note": "ไม่ผ่าน"}
    response = officer_client.post(BULK_PREVIEW, post)
    assert response.context["promoted"] == [waiting]
    assert response.context["promotions"] == []
    page = response.content.decode()
    assert waiting.enterprise.name_th in page
    assert "No notice goes to them" in page


def test_bulk_reject_never_promotes_a_selected_waitlisted_application_first(officer_client, intake):
    """Rejecting an accepted and a waitlisted application together: the waitlisted one is
    rejected, not accepted by the freed place and then rejected."""
    accepted = apply(intake, status=S.ACCEPTED, minutes_ago=90)
    waiting = apply(intake, status=S.WAITLISTED, minutes_ago=30)
    post = {"enrolments": [accepted.pk, waiting.pk], "decision": "rejected", "note": "ไม่ผ่าน"}
    assert officer_client.post(BULK_PREVIEW, post).context["promoted"] == []
    officer_client.post(BULK_DECIDE, {**post, "next": QUEUE})
    waiting.refresh_from_db()
    assert waiting.status == S.REJECTED
    history = list(waiting.events.order_by("at", "pk").values_list("to_status", flat=True))
    assert history == [S.WAITLISTED, S.REJECTED]


def test_bulk_preview_leaves_out_accounts_no_email_goes_to(officer_client, bulk):
    english = bulk["english"].enterprise.created_by
    english.is_active = False
    english.save(update_fields=["is_active"])
    post = {"enrolments": [bulk["thai"].pk, bulk["english"].pk], "decision": "waitlisted"}
    notices = officer_client.post(BULK_PREVIEW, post).context["notices"]
    assert [recipient for _e, recipient, _s, _b in notices] == [bulk["thai"].enterprise.created_by]


def test_bulk_preview_promotes_nobody_when_no_place_is_freed(officer_client, intake):
    apply(intake, status=S.WAITLISTED, minutes_ago=10)
    submitted = apply(intake, minutes_ago=20)
    post = {"enrolments": [submitted.pk], "decision": "rejected", "note": "ไม่ผ่าน"}
    assert officer_client.post(BULK_PREVIEW, post).context["promotions"] == []


def test_bulk_send_decides_and_notifies(
    officer_client, bulk, mailoutbox, django_capture_on_commit_callbacks
):
    post = {"enrolments": [e.pk for e in bulk.values()], "decision": "accepted", "next": QUEUE}
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(BULK_DECIDE, post, follow=True)
    assert response.redirect_chain == [(QUEUE, 302)]
    page = response.content.decode()
    assert "2 decided, 1 refused." in page
    assert bulk["rejected"].enterprise.name in page
    for key in ("thai", "english"):
        bulk[key].refresh_from_db()
        assert bulk[key].status == S.ACCEPTED
    assert Notification.objects.filter(kind="enrolment_status").count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for key in ("thai", "english") for u in [bulk[key].enterprise.created_by]
    )


def test_bulk_send_needs_a_note_to_reject(officer_client, bulk):
    post = {"enrolments": [bulk["thai"].pk], "decision": "rejected", "next": QUEUE}
    response = officer_client.post(BULK_DECIDE, post, follow=True)
    assert "Write a note that tells the applicant why." in response.content.decode()
    bulk["thai"].refresh_from_db()
    assert bulk["thai"].status == S.SUBMITTED


def test_bulk_refuses_an_empty_selection_or_unknown_ids(officer_client, bulk):
    response = officer_client.post(BULK_PREVIEW, {"decision": "accepted"}, follow=True)
    assert "Select at least one application in the table." in response.content.decode()
    response = officer_client.post(
        BULK_DECIDE, {"enrolments": [99999], "decision": "accepted"}, follow=True
    )
    assert response.redirect_chain == [(QUEUE, 302)]
    assert not Enrolment.objects.filter(status=S.ACCEPTED).exists()


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 40])
def test_review_queue_queries_do_not_grow(
    officer_client, intake, count, django_assert_max_num_queries
):
    for n in range(count):
        apply(intake, status=[S.SUBMITTED, S.UNDER_REVIEW][n % 2], minutes_ago=n)
    # One of them reads the page's ids before its rows (toolkit.pagination).
    with django_assert_max_num_queries(15):
        response = officer_client.get(QUEUE, {"province": "52"})
    assert len(rows(response)) == min(count, 25)
