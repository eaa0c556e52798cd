"""Staff pages open only to a session that passed two-factor sign-in, not to an account
that merely has a device; the admin is entered only through the portal's sign-in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.conftest import enable_totp, sign_in, totp_code
from tests.factories import DEFAULT_PASSWORD, UserFactory

STAFF_ROLES = {Role.OFFICER, Role.CENTRE_STAFF}

# Our pages that anyone may open, signed in or not. Every other page of ours must be
# behind role_required; the test below fails when a page is neither, so a new public
# page is listed here on purpose and a new staff page cannot forget the check.
PUBLIC_PAGES = {
    "home",  # the landing page; a staff home has a test of its own below
    "set_language",
    "accounts:privacy_notice",
    "accounts:invitation_accept",
    "entrepreneurs:districts",
    "entrepreneurs:subdistricts",
    "entrepreneurs:postal_codes",
    "entrepreneurs:data_credits",
    "showcase:index",
    "showcase:product",
    "programmes:programme_list",
    "programmes:programme_detail",
    "programmes:intake_detail",
    "training:course_list",
    "training:course_detail",
    "training:run_detail",
    "javascript-catalog",
    # Public photos under random names; private files are never under MEDIA_ROOT
    # (toolkit/media.py, tests/toolkit/test_media.py).
    "media",
    # Calendar feeds: a calendar app fetches them without signing in; the secret token
    # in the address is the key (tests/training/test_feeds.py).
    "training:personal_feed",
    "training:resource_feed",
    # Anyone holding a certificate's code may check it (tests/training/test_certificates.py).
    "training:certificate_verify_form",
    "training:certificate_verify",
    "training:certificate_verify_json",
}
# Not ours: allauth's sign-in pages, the admin (tested below) and media in DEBUG.
FOREIGN_MODULES = ("allauth.", "django.views.static")


def our_pages():
    """(url name, pattern) of every page in the URL conf that belongs to the portal."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                if pattern.callback.__module__.startswith(FOREIGN_MODULES):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, pattern

    return list(walk(get_resolver().url_patterns))


def staff_pages():
    """Pages an officer or centre staff may open, each with the roles it lets in."""
    pages = []
    for name, pattern in our_pages():
        roles = getattr(pattern.callback, "required_roles", None)
        if roles is None:
            continue
        allowed = set(roles or Role.values) & STAFF_ROLES
        if allowed:
            pages.append((name, pattern, allowed))
    return pages


def sample_url(name, pattern):
    """The page's URL with made-up ids: the check comes before any object is fetched."""
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {
        key: 1 if type(conv).__name__ == "IntConverter" else "x" for key, conv in converters.items()
    }
    return reverse(name, kwargs=kwargs)


def open_page(client, url):
    """GET the page, or POST to it when it only takes POST."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def is_two_factor_step(response, url):
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == reverse("mfa_reauthenticate") and parse_qs(location.query).get(
        "next"
    ) in ([url], ["/"])


def test_every_page_of_ours_is_public_or_behind_the_role_check():
    unchecked = {
        name
        for name, pattern in our_pages()
        if not hasattr(pattern.callback, "required_roles") and name not in PUBLIC_PAGES
    }
    assert unchecked == set()
    assert len(staff_pages()) > 60


def test_a_password_only_session_is_sent_to_the_code_on_every_staff_page(
    client, officer_2fa, staff_2fa
):
    people = {Role.OFFICER: officer_2fa, Role.CENTRE_STAFF: staff_2fa}
    let_through = []
    for role, person in people.items():
        client.force_login(person)  # the password step only, as Django's own login does
        for name, pattern, allowed in staff_pages():
            if role not in allowed:
                continue
            url = sample_url(name, pattern)
            if not is_two_factor_step(open_page(client, url), url):
                let_through.append((role, name))
    assert let_through == []


def test_a_session_that_passed_two_factor_is_let_in_to_every_staff_page(
    client, officer_2fa, staff_2fa
):
    people = {Role.OFFICER: officer_2fa, Role.CENTRE_STAFF: staff_2fa}
    stopped = []
    for role, person in people.items():
        sign_in(client, person)
        for name, pattern, allowed in staff_pages():
            if role not in allowed:
                continue
            url = sample_url(name, pattern)
            response = open_page(client, url)
            # Made-up ids give 404 and some pages redirect; none may ask for the code.
            if is_two_factor_step(response, url) or response.status_code == 403:
                stopped.append((role, name))
    assert stopped == []


@pytest.mark.parametrize("person", ["officer_2fa", "staff_2fa"])
def test_a_staff_home_asks_a_password_only_session_for_the_code(client, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("home"))
    assert is_two_factor_step(response, "/")
    sign_in(client, request.getfixturevalue(person))
    assert client.get(reverse("home")).status_code == 200


def test_the_code_step_returns_to_the_page_asked_for(client, officer_2fa):
    client.force_login(officer_2fa)
    page = reverse("accounts:invitation_list")
    step = client.get(page)["Location"]
    response = client.post(step, {"code": totp_code()})
    assert response.status_code == 302
    assert response["Location"] == page
    assert client.get(page).status_code == 200


def test_a_wrong_code_at_the_step_keeps_the_page_closed(client, officer_2fa):
    client.force_login(officer_2fa)
    page = reverse("accounts:invitation_list")
    step = client.get(page)["Location"]
    wrong = "000000" if totp_code() != "000000" else "111111"
    assert client.post(step, {"code": wrong}).status_code == 200
    assert is_two_factor_step(client.get(page), page)


def test_signing_in_through_the_form_with_a_code_opens_staff_pages(client, officer_2fa):
    client.post(
        reverse("account_login"), {"login": officer_2fa.email, "password": DEFAULT_PASSWORD}
    )
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.get(reverse("programmes:review_queue")).status_code == 200


def test_an_account_without_a_device_is_still_sent_to_set_one_up(client, officer):
    client.force_login(officer)
    response = client.get(reverse("programmes:review_queue"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_permission_predicates_refuse_a_password_only_session(client, officer_2fa, rf):
    """Checks by rule (has_perm), not only the page decorator, ask about the session."""
    from toolkit.twofactor import TwoFactorSessionMiddleware

    def user_of_a_request():
        request = rf.get("/")
        request.session = client.session
        request.user = officer_2fa.__class__.objects.get(pk=officer_2fa.pk)
        TwoFactorSessionMiddleware(lambda r: None)(request)
        return request.user

    client.force_login(officer_2fa)
    assert not user_of_a_request().has_perm("accounts.invite_user")
    sign_in(client, officer_2fa)
    assert user_of_a_request().has_perm("accounts.invite_user")
    # Outside a request (a task, a command) the account's device is what counts.
    fresh = officer_2fa.__class__.objects.get(pk=officer_2fa.pk)
    assert fresh.has_perm("accounts.invite_user")


# --- Django's admin ----------------------------------------------------------------------


@pytest.fixture
def admin_officer(db):
    """An officer with admin access, as createsuperuser makes one, with a device."""
    return enable_totp(
        UserFactory(
            role=Role.OFFICER, is_staff=True, is_superuser=True, email="root@diprom.example"
        )
    )


def test_the_admin_login_page_sends_people_to_the_portal_sign_in(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/accounts/user/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == ["/admin/accounts/user/"]


def test_a_password_posted_to_the_admin_login_signs_no_one_in(client, admin_officer):
    response = client.post(
        reverse("admin:login"),
        {"username": admin_officer.email, "password": DEFAULT_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_password_only_session_does_not_open_the_admin(client, admin_officer):
    client.force_login(admin_officer)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))
        assert response.status_code == 200
        assert "admin" not in response.templates[0].name


def test_the_admin_opens_after_the_portal_sign_in_with_a_code(client, admin_officer):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    response = client.post(
        response.redirect_chain[-1][0],
        {"login": admin_officer.email, "password": DEFAULT_PASSWORD},
        follow=True,
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_admin_account_without_a_device_is_sent_to_set_one_up(client, db):
    user = UserFactory(role=Role.OFFICER, is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"), follow=True)
    assert (reverse("mfa_activate_totp"), 302) in response.redirect_chain


def test_a_signed_in_person_without_admin_access_is_refused_the_admin(client, officer_2fa):
    sign_in(client, officer_2fa)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


# --- Setting up a device counts for the session it is set up in ------------------------


@pytest.mark.django_db(transaction=True)
def test_activating_totp_counts_as_two_factor_for_this_session(client):
    """The activation form takes a valid code from the new device; a second code at once
    would have to wait for the next 30-second window, so activation counts."""
    officer = UserFactory(role=Role.OFFICER)
    client.force_login(officer)
    page = reverse("programmes:review_queue")
    assert client.get(page)["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a device is added.
    step = client.get(reverse("mfa_activate_totp"))["Location"]
    client.post(step, {"password": DEFAULT_PASSWORD})
    form = client.get(reverse("mfa_activate_totp")).context["form"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret=form.secret)})
    assert response.status_code == 302
    assert client.get(page).status_code == 200
