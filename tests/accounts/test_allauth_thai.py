"""allauth's Thai in the portal's voice: "ท่าน" for "you", no commas as pauses."""

import re
from pathlib import Path

import allauth
import polib
import pytest
from django.urls import reverse
from django.utils import translation

from accounts.allauth_strings import PLURALS, STRINGS
from tests.conftest import totp_code
from tests.factories import DEFAULT_PASSWORD

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


ALLAUTH_PLURALS = {
    (e.msgid, e.msgid_plural): e.msgstr_plural[0]
    for e in polib.pofile(str(ALLAUTH_PO))
    if e.msgid_plural and not e.obsolete
}
COUNTS = {"unused_count": 3, "total_count": 10}


def filled(message, unused):
    """`message` with the counts put in, or None when it takes other placeholders."""
    try:
        return message % {**COUNTS, "unused_count": unused}
    except (KeyError, TypeError, ValueError):
        return None


@pytest.mark.parametrize("plural", PLURALS)
def test_reworded_plural_is_allauths_and_says_it_plainly(plural):
    with translation.override("en"):
        english = tuple(plural % {**COUNTS, "unused_count": n} for n in (1, 3))
    with translation.override("th"):
        thai = plural % COUNTS

    ours = [pair for pair in ALLAUTH_PLURALS if (filled(pair[0], 1), filled(pair[1], 3)) == english]
    assert len(ours) == 1, "not one of allauth's plural msgids"
    assert thai != ALLAUTH_PLURALS[ours[0]] % COUNTS
    assert "คุณ" not in thai
    assert "," not in thai


# Two-factor sign-in, as officers and centre staff go through it.


def assert_plain(text):
    assert "คุณ" not in text
    assert "," not in text
    assert "สองปัจจัย" not in text  # allauth's word; the portal says สองขั้นตอน


def password_step(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )


def test_the_code_step_at_sign_in_reads_plainly_in_thai(client, officer_2fa):
    password_step(client, officer_2fa)
    page = text_of(client.get(reverse("mfa_authenticate")))
    wrong = "000000" if totp_code() != "000000" else "111111"
    refused = text_of(client.post(reverse("mfa_authenticate"), {"code": wrong}))

    assert "บัญชีของท่านเปิดการยืนยันตัวตนสองขั้นตอนไว้" in page
    assert "รหัสไม่ถูกต้อง กรุณาตรวจดูรหัสแล้วลองอีกครั้ง" in refused
    for text in (page, refused):
        assert_plain(text)


def test_setting_up_the_authenticator_app_reads_plainly_in_thai(client, officer):
    password_step(client, officer)
    # Setting up a device asks for the password again (allauth's reauthentication).
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    page = text_of(response)

    assert "เปิดใช้แอปยืนยันตัวตน" in page
    assert "สแกนคิวอาร์โค้ด" in page
    assert_plain(page)


def test_managing_two_factor_sign_in_reads_plainly_in_thai(client, officer_2fa):
    password_step(client, officer_2fa)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    pages = {}
    pages["index"] = text_of(client.get(reverse("mfa_index")))
    pages["generate"] = text_of(client.get(reverse("mfa_generate_recovery_codes")))
    generated = client.post(reverse("mfa_generate_recovery_codes"), follow=True)
    pages["codes"] = text_of(generated)
    pages["deactivate"] = text_of(client.get(reverse("mfa_deactivate_totp")))
    pages["reauthenticate"] = text_of(client.get(reverse("mfa_reauthenticate")))

    assert "ท่านใช้แอปยืนยันตัวตนอยู่" in pages["index"]
    assert "รหัสกู้คืนชุดเดิมจะใช้ไม่ได้อีก" not in pages["generate"]  # none yet
    assert "ท่านกำลังจะสร้างรหัสกู้คืนชุดใหม่" in pages["generate"]
    assert "เหลือรหัสกู้คืนที่ยังไม่ได้ใช้" in pages["codes"]
    assert "ดาวน์โหลดรหัส" in pages["codes"]
    assert "ท่านกำลังจะปิดการยืนยันตัวตนด้วยแอป" in pages["deactivate"]
    assert "กรุณากรอกรหัสจากแอปยืนยันตัวตนของท่าน" in pages["reauthenticate"]
    for text in pages.values():
        assert_plain(text)
