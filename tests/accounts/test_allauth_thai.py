"""allauth's Thai in the portal's voice: "ท่าน" for "you", no commas as pauses."""

import re
from pathlib import Path

import allauth
import polib
import pytest
from django.urls import reverse
from django.utils import translation

from accounts.allauth_strings import STRINGS

ALLAUTH_PO = Path(allauth.__file__).parent / "locale" / "th" / "LC_MESSAGES" / "django.po"
ALLAUTH_THAI = {e.msgid: e.msgstr for e in polib.pofile(str(ALLAUTH_PO)) if not e.obsolete}


def text_of(response):
    """What a reader sees in the page's main part: tags and scripts dropped."""
    main = response.text.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_every_reworded_string_is_one_of_allauths():
    """An allauth upgrade that changes a msgid must show up here, not as English in Thai."""
    assert [s for s in STRINGS if s not in ALLAUTH_THAI] == []


@pytest.mark.parametrize("msgid", STRINGS)
def test_reworded_string_says_tan_without_comma_pauses(msgid):
    with translation.override("th"):
        thai = translation.gettext(msgid)

    assert thai != msgid, "untranslated"
    assert thai != ALLAUTH_THAI[msgid], "the portal's catalogue does not override allauth's"
    assert "คุณ" not in thai
    assert "," not in thai
    assert re.search("[\u0e00-\u0e7f]", thai)


@pytest.mark.django_db
def test_login_page_reads_plainly_in_thai(client):
    text = text_of(client.get(reverse("account_login")))

    assert "หากท่านยังไม่มีบัญชี กรุณา ลงทะเบียน ก่อน" in text
    assert "คุณ" not in text
    assert "," not in text


@pytest.mark.django_db
def test_verification_sent_page_reads_plainly_in_thai(client):
    text = text_of(client.get(reverse("account_email_verification_sent")))

    assert "ยืนยันอีเมลของท่าน" in text
    assert "คุณ" not in text
    assert "," not in text


@pytest.mark.django_db
def test_password_reset_pages_read_plainly_in_thai(client):
    request_page = text_of(client.get(reverse("account_reset_password")))
    done_page = text_of(client.get(reverse("account_reset_password_done")))

    assert "ตั้งรหัสผ่านใหม่" in request_page
    for text in (request_page, done_page):
        assert "คุณ" not in text
        assert "," not in text
