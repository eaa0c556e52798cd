"""Every page type carries a strict Content-Security-Policy and a Permissions-Policy.

The policy allows only the portal's own scripts and styles, so no page may hold an inline
<script>, a <style> element, a style="" attribute or an on*="" handler: these tests check
the headers on each kind of page, the HTML those pages send, and every template file.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path, reverse
from django.utils import timezone

from entrepreneurs.models import VerificationStatus
from products.models import ProductStatus
from programmes.models import Enrolment, EnrolmentStatus
from tests.conftest import enable_totp, sign_in
from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def csp(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict_headers(response):
    policy = csp(response)
    assert policy.get("default-src") == ["'self'"], policy
    assert policy.get("script-src") == ["'self'"], policy
    assert policy.get("style-src") == ["'self'"], policy
    assert policy.get("img-src") == ["'self'", "data:"], policy
    assert policy.get("object-src") == ["'none'"], policy
    assert policy.get("base-uri") == ["'self'"], policy
    assert policy.get("form-action") == ["'self'"], policy
    assert policy.get("frame-ancestors") == ["'none'"], policy
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions, permissions


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name == "style" or (name.startswith("on") and name.isalpha()):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')


def inline_parts(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def world(owner):
    """A verified enterprise with a published product that applied to an open intake."""
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    product = ProductFactory(
        enterprise=enterprise, status=ProductStatus.PUBLISHED, published_at=timezone.now()
    )
    intake = IntakeFactory()
    enrolment = Enrolment.objects.create(
        intake=intake,
        enterprise=enterprise,
        status=EnrolmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    enrolment.products.set([product])
    return {"enterprise": enterprise, "product": product, "intake": intake, "enrolment": enrolment}


# (page type, who visits, URL, extra request headers); who is a fixture name or None.
PAGES = [
    ("public landing", None, lambda w: reverse("home"), {}),
    ("showcase", None, lambda w: reverse("showcase:index"), {}),
    ("showcase product", None, lambda w: reverse("showcase:product", args=[w["product"].pk]), {}),
    ("programmes", None, lambda w: reverse("programmes:programme_list"), {}),
    (
        "programme page",
        None,
        lambda w: reverse("programmes:programme_detail", args=[w["intake"].programme_id]),
        {},
    ),
    ("login", None, lambda w: reverse("account_login"), {}),
    ("signup", None, lambda w: reverse("account_signup"), {}),
    ("password reset", None, lambda w: reverse("account_reset_password"), {}),
    ("privacy notice", None, lambda w: reverse("accounts:privacy_notice"), {}),
    ("entrepreneur home", "owner", lambda w: reverse("home"), {}),
    ("my enterprises", "owner", lambda w: reverse("entrepreneurs:my_enterprises"), {}),
    ("enterprise form", "owner", lambda w: reverse("entrepreneurs:enterprise_create"), {}),
    (
        "address chooser fragment (htmx)",
        "owner",
        lambda w: reverse("entrepreneurs:districts") + "?province=52",
        HTMX,
    ),
    ("my applications", "owner", lambda w: reverse("programmes:my_applications"), {}),
    ("application", "owner", lambda w: w["enrolment"].get_absolute_url(), {}),
    ("owner's product page", "owner", lambda w: w["product"].get_absolute_url(), {}),
    ("two-factor settings", "owner", lambda w: reverse("mfa_index"), {}),
    ("email settings", "owner", lambda w: reverse("account_email"), {}),
    ("officer home", "officer_client", lambda w: reverse("home"), {}),
    ("review queue", "officer_client", lambda w: reverse("programmes:review_queue"), {}),
    (
        "review side panel (htmx)",
        "officer_client",
        lambda w: reverse("programmes:review_panel", args=[w["enrolment"].pk]),
        HTMX,
    ),
    (
        "programme dashboard (Chart.js)",
        "officer_client",
        lambda w: reverse("programmes:dashboard", args=[w["intake"].programme_id]),
        {},
    ),
    ("enterprise list", "officer_client", lambda w: reverse("entrepreneurs:enterprise_list"), {}),
    ("product list", "officer_client", lambda w: reverse("products:product_list"), {}),
    ("404", None, lambda w: "/no-such-page/", {}),
    ("400", None, lambda w: reverse("showcase:index") + "?district=%00", {}),
    (
        "403",
        "owner",
        lambda w: reverse("programmes:dashboard", args=[w["intake"].programme_id]),
        {},
    ),
    ("admin login", None, lambda w: reverse("admin:login"), {}),
]


@pytest.mark.parametrize(
    ("who", "url", "headers"),
    [pytest.param(who, url, headers, id=name) for name, who, url, headers in PAGES],
)
def test_every_page_type_has_the_policies_and_nothing_inline(
    client, request, world, who, url, headers
):
    if who == "officer_client":
        client = request.getfixturevalue("officer_client")
    elif who:
        client.force_login(request.getfixturevalue(who))

    response = client.get(url(world), **headers)

    assert response.status_code < 500
    assert_strict_headers(response)
    if response.get("Content-Type", "").startswith("text/html"):
        assert inline_parts(response.content.decode()) == []


def test_the_page_types_answer_as_expected(client, request, world):
    """The cases above really are the pages they claim to be (a 404 is not a 200)."""
    assert client.get("/no-such-page/").status_code == 404
    assert client.get(reverse("showcase:index") + "?district=%00").status_code == 400
    client.force_login(request.getfixturevalue("owner"))
    dashboard = reverse("programmes:dashboard", args=[world["intake"].programme_id])
    assert client.get(dashboard).status_code == 403
    officer = request.getfixturevalue("officer_client")
    page = officer.get(dashboard)
    assert page.status_code == 200
    assert "vendor/chartjs/chart.umd.min.js" in page.text
    panel = officer.get(reverse("programmes:review_panel", args=[world["enrolment"].pk]), **HTMX)
    assert panel.status_code == 200
    assert "<html" not in panel.text


def test_admin_pages_have_the_policies_and_nothing_inline(client, db):
    """Django's admin keeps working under the strict policy: its templates are inline-free."""
    admin = UserFactory(email="admin@diprom.example", is_staff=True, is_superuser=True)
    enable_totp(admin)
    sign_in(client, admin)
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[admin.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_headers(response)
        assert inline_parts(response.content.decode()) == [], url


# --- The 500 page ---------------------------------------------------------------------------


def broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_view)]


@pytest.mark.urls(__name__)
def test_the_500_page_has_the_policies_and_nothing_inline(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_strict_headers(response)
    page = response.content.decode()
    assert "ระบบขัดข้องชั่วคราว" in page
    assert inline_parts(page) == []


# --- Templates ------------------------------------------------------------------------------


def template_files():
    """Every template of the portal: templates/ and any app's own templates folder."""
    root = Path(settings.BASE_DIR)
    skip = {".venv", "var", "static", "node_modules"}
    files = [
        file
        for file in root.rglob("*.html")
        if "templates" in file.relative_to(root).parts
        and not skip & set(file.relative_to(root).parts)
    ]
    assert len(files) > 50, "the templates were not found"
    return files


# A tag's opening; template tags inside it ({% if %}) are kept.
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>{]|\{[{%#].*?[}%#]\}|\{(?![{%#]))*)>", re.DOTALL)
COMMENT = re.compile(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}|<!--.*?-->", re.DOTALL)
INLINE_ATTRIBUTES = [
    (re.compile(r"(?:^|[\s}])style\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"(?:^|[\s}])on[a-z]+\s*=", re.IGNORECASE), "on* handler attribute"),
    (re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE), "javascript: URL"),
]


def inline_in_template(text):
    """(line, what) of each inline script, style or handler a template writes."""
    # Comments may talk about <style>; keep their line breaks so line numbers stay true.
    text = COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), text)
    found = []
    for match in TAG.finditer(text):
        tag, attributes = match.group(1).lower(), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if tag == "script" and not re.search(r"\ssrc\s*=", attributes):
            found.append((line, "inline <script>"))
        if tag == "style":
            found.append((line, "<style> element"))
        found += [(line, what) for pattern, what in INLINE_ATTRIBUTES if pattern.search(attributes)]
    return found


def test_no_template_has_inline_script_style_or_handler():
    """A cheap guard: the policy would block these in the browser, so none may be written."""
    found = [
        f"{file.relative_to(settings.BASE_DIR)}:{line}: {what}"
        for file in template_files()
        for line, what in inline_in_template(file.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    "sample",
    [
        "<script>alert(1)</script>",
        "<style>p { color: red }</style>",
        '<div class="x" style="color: red">',
        '<p {% if a %}style="width: 1px"{% endif %} class="x">',
        '<button type="button" onclick="go()">',
        "<a href='javascript:go()'>",
    ],
)
def test_the_template_guard_finds_each_kind_of_inline_code(sample):
    assert inline_in_template(f"<div>\n{sample}\n</div>") != []
    assert inline_parts(re.sub(r"\{%.*?%\}", "", sample)) != []


def test_the_template_guard_lets_the_portals_own_files_through():
    ok = """<script src="{% static 'js/portal.js' %}"></script>
    <div class="nc-chart" data-on="x" hx-on="y" data-style="z" {% if a %}hidden{% endif %}>"""
    assert inline_in_template(ok) == []
