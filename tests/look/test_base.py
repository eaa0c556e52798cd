import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from notifications.services import notify
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

# Every URL the page loads or links to: src, href and form actions.
URL_ATTRIBUTE = re.compile(r'\b(?:src|href|action)="([^"]*)"')
STYLESHEETS = [
    "vendor/bootstrap/css/bootstrap.trimmed.min.css",
    "vendor/bootstrap-icons/icons.css",
    "css/fonts.css",
    "css/portal.css",
]
VISITOR_SCRIPTS = ["vendor/bootstrap/js/bootstrap.public.min.js"]
SIGNED_IN_SCRIPTS = [
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/portal.js",
]
ASSETS = STYLESHEETS + VISITOR_SCRIPTS + SIGNED_IN_SCRIPTS


def test_home_links_the_vendored_assets(client):
    response = client.get("/")
    assert response.status_code == 200
    for asset in STYLESHEETS + VISITOR_SCRIPTS:
        assert f'="/static/{asset}"' in response.text, asset


def test_a_visitors_page_loads_neither_htmx_nor_the_full_bootstrap_bundle(client):
    html = client.get("/").text
    for asset in SIGNED_IN_SCRIPTS:
        assert f'/static/{asset}"' not in html, asset
    # Every script waits for the page to be parsed.
    assert re.findall(r"<script src=[^>]*>", html)
    assert all(" defer" in tag for tag in re.findall(r"<script src=[^>]*>", html))


def test_a_signed_in_page_loads_bootstrap_htmx_and_the_glue_deferred(client, owner):
    client.force_login(owner)
    html = client.get("/").text
    for asset in SIGNED_IN_SCRIPTS:
        assert f'<script src="/static/{asset}" defer></script>' in html, asset
    assert "bootstrap.public.min.js" not in html


@pytest.mark.parametrize("asset", ASSETS)
def test_each_linked_asset_is_in_static(asset):
    assert finders.find(asset), asset


def icon_names_in_templates():
    names = set()
    for folder in (
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR).glob("*/templates"),
    ):
        for template in folder.rglob("*.html"):
            names |= set(
                re.findall(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)", template.read_text("utf-8"))
            )
    return names


def test_every_icon_a_template_names_is_in_the_icon_stylesheet():
    """A new `bi-*` icon needs scripts/build-assets run again, or it shows as nothing."""
    css = Path(finders.find("vendor/bootstrap-icons/icons.css")).read_text(encoding="utf-8")
    built = set(re.findall(r"^\.bi-([a-z0-9-]+)\{", css, re.MULTILINE))
    names = icon_names_in_templates()
    assert names
    assert names <= built, sorted(names - built)


@pytest.mark.parametrize("path", ["css/fonts.css"])
def test_fonts_named_in_stylesheets_are_in_static(path):
    css = Path(finders.find(path)).read_text(encoding="utf-8")
    fonts = re.findall(r'url\("?([^")?]+)', css)
    assert fonts
    base = path.rsplit("/", 1)[0]
    for font in fonts:
        resolved = f"{base}/{font}".replace("css/../", "")
        assert finders.find(resolved), resolved


def test_home_loads_nothing_from_another_host(client):
    html = client.get("/").text
    urls = URL_ATTRIBUTE.findall(html)
    assert urls
    # Only addresses are searched: a random CSRF token may spell "cdn" by chance.
    assert not [url for url in urls if "cdn" in url.lower()]
    foreign = [url for url in urls if re.match(r"^(?:[a-z]+:)?//", url, re.IGNORECASE)]
    assert foreign == []


def test_home_declares_language_viewport_and_csrf_token(client):
    html = client.get("/").text
    assert '<html lang="th">' in html
    assert 'name="viewport"' in html
    assert re.search(r'<meta name="csrf-token" content="[^"]{32,}">', html)


def test_language_switcher_posts_both_languages_and_marks_the_current_one(client):
    html = client.get("/?page=2").text
    assert f'action="{reverse("set_language")}"' in html
    assert '<input type="hidden" name="next" value="/?page=2">' in html
    thai = re.search(r'<button[^>]*name="language" value="th"[^>]*>ไทย</button>', html, re.S)
    english = re.search(r'<button[^>]*name="language" value="en"[^>]*>English</button>', html, re.S)
    assert thai and english
    assert 'aria-current="true"' in thai.group(0)
    assert "aria-current" not in english.group(0)


def test_switching_to_english_renders_the_page_in_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").text
    assert '<html lang="en">' in html
    english = re.search(r'<button[^>]*value="en"[^>]*>', html).group(0)
    assert 'aria-current="true"' in english


def test_anonymous_visitor_sees_log_in_and_sign_up(client):
    html = client.get("/").text
    assert f'href="{reverse("account_login")}"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'action="{reverse("account_logout")}"' not in html


def test_page_has_skip_link_main_landmark_and_footer(client):
    html = client.get("/").text
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "Department of Industrial Promotion" in html or "กรมส่งเสริมอุตสาหกรรม" in html
    assert f'href="{reverse("accounts:privacy_notice")}"' in html


def test_signed_in_entrepreneur_sees_own_menu_without_invitations(client, owner):
    client.force_login(owner)
    html = client.get("/").text
    assert f'href="{reverse("notifications:inbox")}"' in html
    assert f'href="{reverse("accounts:profile")}"' in html
    assert f'href="{reverse("mfa_index")}"' in html
    assert f'href="{reverse("accounts:invitation_list")}"' not in html
    assert f'href="{reverse("account_login")}"' not in html
    logout = re.search(
        rf'<form method="post" action="{reverse("account_logout")}">.*?</form>', html, re.S
    )
    assert logout and 'name="csrfmiddlewaretoken"' in logout.group(0)


def test_officer_menu_has_invitations(client, officer_2fa):
    sign_in(client, officer_2fa)
    html = client.get("/").text
    assert f'href="{reverse("accounts:invitation_list")}"' in html


def _render_base(user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("base.html", context, request=request)


def test_unread_badge_shows_the_count(owner):
    html = _render_base(owner, unread_notifications=3)
    assert re.search(r'id="nc-unread-badge"[^>]*>3<', html)


def test_the_bell_and_its_count_sit_outside_the_collapsing_menu(client, owner):
    """On a phone the menu is collapsed; the unread count must show without opening it."""
    notify(owner, "welcome", email=False)
    notify(owner, "welcome", email=False)
    client.force_login(owner)
    html = client.get(reverse("home")).text
    header = html[html.index("<header>") : html.index("</header>")]
    menu_starts = header.index('id="nc-nav"')
    inbox = reverse("notifications:inbox")
    bell = re.search(rf'<a class="nav-link nc-bell[^"]*" href="{inbox}".*?</a>', header, re.S)
    assert bell, "the bell links to the inbox"
    assert bell.end() < menu_starts, "the bell comes before, not inside, the collapsing menu"
    assert re.search(r'id="nc-unread-badge"[^>]*>2<', bell.group(0))
    # One way to the inbox in the bar, so the bell is not repeated inside the menu.
    assert header.count(f'href="{inbox}"') == 1


def test_unread_badge_is_hidden_when_nothing_is_unread(owner):
    # Still there, hidden: an htmx answer may show it when a notification comes.
    html = _render_base(owner, unread_notifications=0)
    badge = re.search(r'<span id="nc-unread-badge" class="([^"]*)"', html)
    assert badge and "d-none" in badge.group(1).split()


def test_messages_are_dismissible_alerts_in_bootstrap_colours(owner):
    html = _render_base(
        owner,
        messages=[
            Message(messages.ERROR, "Could not save."),
            Message(messages.SUCCESS, "Saved."),
        ],
    )
    error = re.search(r'class="alert alert-danger alert-dismissible[^>]*>\s*Could not save.', html)
    success = re.search(r'class="alert alert-success alert-dismissible[^>]*>\s*Saved.', html)
    assert error and success
    assert html.count('data-bs-dismiss="alert"') == 2
