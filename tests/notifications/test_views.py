import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from notifications.context_processors import unread_count
from notifications.models import Notification
from notifications.services import mark_read, notify
from tests.conftest import sign_in
from tests.factories import CertificationFactory, UserFactory

INBOX = reverse("notifications:inbox")


def _read_url(notification):
    return reverse("notifications:mark_read", args=[notification.pk])


def test_inbox_lists_only_own_notifications(client, owner, outsider):
    mine = notify(owner, "welcome", url="/", email=False)
    theirs = notify(outsider, "welcome", url="/", email=False)
    client.force_login(owner)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [mine]
    assert f'id="notification-{mine.pk}"' in response.text
    assert f'id="notification-{theirs.pk}"' not in response.text


def test_inbox_requires_login(db, client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_inbox_lists_newest_first_twenty_per_page(client, owner):
    items = [notify(owner, "welcome", email=False) for _ in range(25)]
    client.force_login(owner)

    first = client.get(INBOX).context["page_obj"]
    second = client.get(INBOX, {"page": 2}).context["page_obj"]

    assert list(first) == items[::-1][:20]
    assert list(second) == items[::-1][20:]


def test_inbox_shows_rendered_subject_and_highlights_unread(probe_kind, client, owner, student):
    unread = notify(owner, probe_kind, student, email=False)
    read = notify(owner, probe_kind, student, email=False)
    mark_read(notification=read, by=owner)
    client.force_login(owner)

    response = client.get(INBOX)

    # The owner's profile says Thai; the subject is rendered now, in that language.
    assert f"[th] {student.full_name}" in response.text
    row = response.text.split(f'id="notification-{unread.pk}"')[0].rsplit("<li", 1)[1]
    assert "list-group-item-primary" in row
    read_row = response.text.split(f'id="notification-{read.pk}"')[0].rsplit("<li", 1)[1]
    assert "list-group-item-primary" not in read_row
    assert response.text.count(reverse("notifications:mark_read", args=[unread.pk])) >= 1


def test_inbox_has_the_unread_count_in_its_context(client, owner, outsider):
    notify(owner, "welcome", email=False)
    notify(owner, "welcome", email=False)
    mark_read(notification=notify(owner, "welcome", email=False), by=owner)
    notify(outsider, "welcome", email=False)
    client.force_login(owner)

    response = client.get(INBOX)

    assert response.context["unread_notifications"] == 2


def test_inbox_query_count_does_not_grow_with_rows(
    probe_kind, client, owner, student, django_assert_max_num_queries
):
    client.force_login(owner)
    notify(owner, probe_kind, student, url="/", email=False)
    with django_assert_max_num_queries(50) as few:
        client.get(INBOX)
    for _ in range(29):
        notify(owner, probe_kind, UserFactory(), url="/", email=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)

    assert len(response.context["page_obj"]) == 20


def test_inbox_reads_each_certifications_standard_and_product_in_bulk(
    client, owner, django_assert_max_num_queries
):
    """The expiry notice's subject names the standard and product: not a query per item."""
    client.force_login(owner)
    notify(owner, "certification_expiring", CertificationFactory(), url="/", email=False)
    with django_assert_max_num_queries(50) as few:
        client.get(INBOX)
    certifications = [CertificationFactory() for _ in range(9)]
    for certification in certifications:
        notify(owner, "certification_expiring", certification, url="/", email=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)

    assert len(response.context["page_obj"]) == 10
    for certification in certifications:
        assert certification.product.name in response.text


def test_mark_read_works(client, owner):
    notification = notify(owner, "welcome", url="/me/profile/", email=False)
    client.force_login(owner)

    response = client.post(_read_url(notification))

    assert response.status_code == 302
    assert response.url == INBOX
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_then_open_goes_to_the_items_link(client, owner):
    notification = notify(owner, "welcome", url="/me/profile/", email=False)
    client.force_login(owner)

    response = client.post(_read_url(notification), {"open": "1"})

    assert response.status_code == 302
    assert response.url == "/me/profile/"


def test_mark_read_then_open_never_leaves_the_site(client, owner):
    notification = notify(owner, "welcome", url="https://evil.example/", email=False)
    client.force_login(owner)

    response = client.post(_read_url(notification) + "?open=1")

    assert response.url == INBOX


def test_mark_read_checks_the_recipient(client, owner, outsider):
    notification = notify(owner, "welcome", email=False)
    client.force_login(outsider)

    response = client.post(_read_url(notification))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_rejects_get(client, owner):
    notification = notify(owner, "welcome", email=False)
    client.force_login(owner)

    response = client.get(_read_url(notification))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_requires_login(client, owner):
    notification = notify(owner, "welcome", email=False)

    response = client.post(_read_url(notification))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_with_htmx_returns_the_row_and_the_new_unread_count(client, owner):
    notification = notify(owner, "welcome", email=False)
    notify(owner, "welcome", email=False)
    client.force_login(owner)

    response = client.post(_read_url(notification), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "notifications/_item.html" in [t.name for t in response.templates]
    assert "<html" not in response.text
    assert f'id="notification-{notification.pk}"' in response.text
    assert "list-group-item-primary" not in response.text
    assert "hx-post" not in response.text
    assert response.context["unread_notifications"] == 1
    assert 'id="nc-unread-badge" hx-swap-oob="true"' in response.text
    assert 'id="notification-unread-count"' in response.text


def test_mark_all_read_works(client, owner, outsider):
    for _ in range(3):
        notify(owner, "welcome", email=False)
    theirs = notify(outsider, "welcome", email=False)
    client.force_login(owner)

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert response.url == INBOX
    assert not Notification.objects.for_user(owner).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_rejects_get(client, owner):
    notify(owner, "welcome", email=False)
    client.force_login(owner)

    response = client.get(reverse("notifications:mark_all_read"))

    assert response.status_code == 405
    assert Notification.objects.for_user(owner).unread().count() == 1


def test_unread_count_is_empty_for_anonymous_visitors(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    assert unread_count(request) == {}


def test_unread_count_queries_only_when_used(rf, owner, django_assert_num_queries):
    notify(owner, "welcome", email=False)
    request = rf.get("/")
    request.user = owner

    with django_assert_num_queries(0):
        context = unread_count(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"] == 1
        assert f"{context['unread_notifications']}" == "1"


@pytest.mark.parametrize("name", ["inbox"])
def test_inbox_page_renders_for_every_role(
    name, client, officer_2fa, staff_2fa, faculty, student, owner
):
    for user in (officer_2fa, staff_2fa, faculty, student, owner):
        notify(user, "welcome", url="/", email=False)
        sign_in(client, user)
        assert client.get(reverse(f"notifications:{name}")).status_code == 200


# --- What happened, in one line ------------------------------------------------------------


def _event(owner, *, note=""):
    from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus
    from tests.factories import EnterpriseFactory, IntakeFactory

    enrolment = Enrolment.objects.create(
        intake=IntakeFactory(),
        enterprise=EnterpriseFactory(owner=owner),
        status=EnrolmentStatus.ACCEPTED,
    )
    return EnrolmentEvent.objects.create(
        enrolment=enrolment,
        from_status=EnrolmentStatus.SUBMITTED,
        to_status=EnrolmentStatus.ACCEPTED,
        note=note,
    )


def _summary_of(html, notification):
    row = html.split(f'id="notification-{notification.pk}"')[1].split("</li>")[0]
    line = row.split('class="nc-notification-summary small mb-0">')[1].split("</p>")[0]
    return " ".join(line.split())


def test_inbox_items_say_what_happened_in_one_line(client, owner):
    from tests.factories import EnterpriseFactory, UpgradeRecordFactory

    owner.language = "en"
    owner.save(update_fields=["language"])
    event = _event(owner, note="Welcome to cohort 1.")
    upgrade = UpgradeRecordFactory()
    certification = CertificationFactory()
    enterprise = EnterpriseFactory(owner=owner)
    decision = notify(owner, "enrolment_status", event, email=False)
    upgraded = notify(owner, "upgrade_recorded", upgrade, email=False)
    expiring = notify(owner, "certification_expiring", certification, email=False)
    added = notify(owner, "enterprise_member_added", enterprise, email=False)
    welcome = notify(owner, "welcome", email=False)
    client.force_login(owner)

    html = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").text

    enrolment = event.enrolment
    assert _summary_of(html, decision) == (
        f"The application of {enrolment.enterprise.name_en or enrolment.enterprise.name_th} "
        f"to {enrolment.intake.name_en} is now: Accepted. Note: Welcome to cohort 1."
    )
    assert _summary_of(html, upgraded).startswith(f"{upgrade.product.name_en}: Design")
    assert certification.number in _summary_of(html, expiring)
    assert "see and edit" in _summary_of(html, added)
    assert _summary_of(html, welcome) == (
        "Your account is ready. Your home page lists what you can do next."
    )


def test_inbox_summaries_read_their_targets_in_bulk(client, owner, django_assert_max_num_queries):
    """The summary line names the product or the enterprise: not a query per item."""
    from tests.factories import UpgradeRecordFactory

    client.force_login(owner)
    notify(owner, "upgrade_recorded", UpgradeRecordFactory(), email=False)
    notify(owner, "enrolment_status", _event(owner), email=False)
    with django_assert_max_num_queries(50) as few:
        client.get(INBOX)
    for _ in range(6):
        notify(owner, "upgrade_recorded", UpgradeRecordFactory(), email=False)
        notify(owner, "enrolment_status", _event(owner), email=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)

    assert response.text.count("nc-notification-summary") == 14
