"""Closing a run, certificate PDFs, the holder's and the officers' pages, verification."""

import io
import re
import shutil
import subprocess

import pypdf
import pytest
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from tests.conftest import sign_in
from tests.factories import ClearanceKindFactory, ResourceFactory, UserFactory, at
from toolkit.models import AuditEntry
from toolkit.thaidates import format_date
from training import certificates as printing
from training.models import Certificate, Clearance, CourseEnrolmentStatus, RunStatus
from training.services import bookings
from training.services import certificates as certificate_services

from .factories_certificates import KILN_COURSE_TH, attend, closed_run, open_run, people

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus


def pdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text):
    # Text extraction splits SARA AM (ำ) into its parts and keeps line breaks: compare
    # without either.
    return re.sub(r"\s+", "", text).replace("\u0e4d", "").replace("\u0e32", "")


def contains(text, expected):
    return flat(expected) in flat(text)


@pytest.fixture
def holder():
    return UserFactory(role="student", full_name="นางสาวสมศรี ใจดี", language="th")


@pytest.fixture
def run(officer_2fa, holder, faculty):
    return closed_run(
        by=officer_2fa, completing=[holder], failing=people(1), instructor=faculty, build=True
    )


@pytest.fixture
def certificate(run, holder):
    return holder.certificates.get()


# --- The PDF ---------------------------------------------------------------------------


def test_pdf_says_who_what_when_in_thai_with_number_and_code(certificate, faculty):
    data = certificate.pdf.open("rb").read()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    with translation.override("th"):
        issued = format_date(certificate.issued_at)
    assert str(timezone.localdate(certificate.issued_at).year + 543) in issued
    for expected in (
        "เกียรติบัตร",
        "นางสาวสมศรี ใจดี",
        KILN_COURSE_TH,
        "12 ชั่วโมง",
        faculty.full_name,
        issued,
        certificate.number,
        certificate.code,
    ):
        assert contains(text, expected), expected
    assert re.fullmatch(r"25\d\d-\d{6}", certificate.number)


def test_pdf_is_in_the_holders_language(officer_2fa):
    reader = UserFactory(role="student", full_name="Anna Berg", language="en")
    run = closed_run(by=officer_2fa, completing=[reader], build=True)
    text = pdf_text(reader.certificates.get().pdf.open("rb").read())
    assert contains(text, "Certificate of completion")
    assert contains(text, "Electric kiln operation")
    assert str(timezone.localdate().year) in text
    assert run.status == RunStatus.CLOSED


def test_thai_lines_break_only_between_words(officer_2fa, holder):
    # Fine-grained words: Pango (libthai) breaks between dictionary words, never inside.
    words = [
        "การ", "ใช้", "เตา", "เผา", "ไฟฟ้า", "และ", "การ", "ดูแล", "รักษา", "เตา", "เผา",
        "อย่าง", "ปลอดภัย", "ของ", "ผู้", "ประกอบ", "การ", "เซรามิก", "ใน", "ภาค", "เหนือ",
        "ตอน", "บน", "ของ", "ประเทศ", "ไทย",
    ]  # fmt: skip
    title = "".join(words)
    closed_run(by=officer_2fa, completing=[holder], title_th=title, build=True)
    lines = pdf_text(holder.certificates.get().pdf.open("rb").read()).splitlines()
    title_lines = [line.strip() for line in lines if line.strip() and line.strip() in title]
    assert "".join(title_lines) == title, lines
    assert len(title_lines) > 1, "the long Thai title should take more than one line"
    boundaries, position = set(), 0
    for word in words:
        position += len(word)
        boundaries.add(position)
    position = 0
    for line in title_lines[:-1]:
        position += len(line)
        assert position in boundaries, f"a line ends inside a word: {line!r}"


def test_pdf_uses_the_sarabun_font(certificate):
    reader = pypdf.PdfReader(io.BytesIO(certificate.pdf.open("rb").read()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names and all("Sarabun" in name for name in names), names


def test_printing_leaves_photo_uploads_strict_about_truncated_files(certificate):
    """Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process."""
    from django.core.exceptions import ValidationError

    from products.images import validate_photo
    from tests.products.test_photos import truncated_jpeg

    assert certificate.pdf  # printed in this process
    with pytest.raises(ValidationError):
        validate_photo(truncated_jpeg())


def test_qr_code_is_vector_and_encodes_the_verify_url(certificate):
    url = settings.SITE_URL + reverse("training:certificate_verify", args=[certificate.code])
    assert printing.verify_url(certificate.code) == url
    data = certificate.pdf.open("rb").read()
    # Drawn as paths, not a picture.
    assert list(pypdf.PdfReader(io.BytesIO(data)).pages[0].images) == []
    # The SVG printed in the certificate draws segno's QR code of the URL, module for module.
    html, _language = printing.certificate_html(certificate)
    path = re.search(r'<svg[^>]*class="certificate-qr".*?\sd="([^"]+)"', html, re.DOTALL)[1]
    expected = segno.make_qr(url, error="m")
    dark = {
        (row + 4, col + 4)
        for row, line in enumerate(expected.matrix)
        for col, bit in enumerate(line)
        if bit
    }
    assert svg_modules(path) == dark


def svg_modules(path):
    """The dark modules (row, column) that segno's SVG path draws: M/m moves, h lines."""
    x = y = 0.0
    dark = set()
    for op, args in re.findall(r"([MmHhVvLl])([^MmHhVvLl]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif op == "h":
            dark |= {(int(y), int(x) + i) for i in range(int(numbers[0]))}
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {op}")
    return dark


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs poppler-utils and zbar-tools (.ci/run installs them)",
)
def test_qr_code_in_the_pdf_decodes_to_the_verify_url(certificate, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate.pdf.open("rb").read())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", pdf, tmp_path / "page"], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", tmp_path / "page.png"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert decoded == [printing.verify_url(certificate.code)]


# --- Building and telling the holders ------------------------------------------------


def test_closing_queues_the_build_and_leaves_the_pdfs_to_the_worker(officer_2fa):
    run = closed_run(by=officer_2fa, completing=people(3))
    run.queued.assert_called_once_with(run.pk)
    assert not Certificate.objects.filter(enrolment__run=run).exclude(pdf="").exists()


def test_closing_builds_the_pdfs_on_commit(officer_2fa, django_capture_on_commit_callbacks):
    run = open_run()
    holders = people(2)
    attend(run, holders, by=officer_2fa)
    from training.services import courses

    with django_capture_on_commit_callbacks(execute=True):
        courses.close_run(run=run, by=officer_2fa)
    assert Certificate.objects.filter(enrolment__run=run, pdf="").count() == 0
    assert Notification.objects.filter(kind="certificate_ready").count() == 2


def test_build_is_idempotent_and_tells_each_holder_once(officer_2fa, mailoutbox):
    holders = people(3)
    run = closed_run(by=officer_2fa, completing=holders)
    assert certificate_services.build_pdfs(run.pk) == 3
    first = Certificate.objects.get(holder=holders[0])
    stored = first.pdf.name
    # A retry after a worker died: only the missing PDF is built, nobody is told twice.
    second = Certificate.objects.get(holder=holders[1])
    second.pdf.delete(save=True)
    assert certificate_services.build_pdfs(run.pk) == 1
    assert certificate_services.build_pdfs(run.pk) == 0
    first.refresh_from_db()
    assert first.pdf.name == stored
    ready = Notification.objects.filter(kind="certificate_ready")
    assert ready.count() == 3
    assert {n.recipient_id for n in ready} == {h.pk for h in holders}
    assert ready.first().url == reverse("training:my_certificates")


def test_ready_mail_links_the_pdf_in_the_holders_language(officer_2fa, holder, mailoutbox):
    from notifications.models import OutboundEmail

    closed_run(by=officer_2fa, completing=[holder], build=True)
    certificate = holder.certificates.get()
    mail = OutboundEmail.objects.get(to=holder.email, subject__contains=certificate.number)
    assert certificate.number in mail.subject
    assert "เกียรติบัตร" in mail.subject
    assert reverse("training:certificate_pdf", args=[certificate.pk]) in mail.body
    assert certificate.code in mail.body


def test_task_builds_the_run(officer_2fa):
    from training import tasks

    run = closed_run(by=officer_2fa, completing=people(2))
    assert tasks.build_certificates.apply(args=[run.pk]).get() == 2
    assert tasks.build_certificates.apply(args=[run.pk]).get() == 0


# --- Closing a run (page) --------------------------------------------------------------


def test_close_page_shows_who_completes_then_closes_on_confirmation(client, faculty):
    run = open_run()
    run.instructors.add(faculty)
    done = UserFactory(role="student", full_name="ผ่าน ครบถ้วน")
    missed = UserFactory(role="student", full_name="ขาด บ่อยครั้ง")
    attend(run, [done], by=faculty)
    attend(run, [missed], by=faculty, mark="absent")
    client.force_login(faculty)
    url = reverse("training:run_close", args=[run.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["will"][0].person == done
    assert page.context["will_not"][0].person == missed
    # A POST without the confirmation does not close.
    client.post(url)
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN
    response = client.post(url, {"confirmed": "yes"}, follow=False)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED
    assert done.course_enrolments.get().status == E.COMPLETED
    assert missed.course_enrolments.get().status == E.NOT_COMPLETED
    assert Certificate.objects.filter(holder=done).exists()
    assert not Certificate.objects.filter(holder=missed).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("เกียรติบัตร" in m for m in messages), messages


def test_close_page_is_for_the_runs_managers_only(client, student, owner):
    run = open_run()
    url = reverse("training:run_close", args=[run.pk])
    assert client.get(url).status_code == 302  # to the login page
    for person in (student, owner):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirmed": "yes"}).status_code == 404
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN


def test_officer_closes_with_two_factor(client, officer_2fa):
    run = open_run()
    url = reverse("training:run_close", args=[run.pk])
    client.force_login(officer_2fa)
    assert client.get(url).status_code != 200  # the two-factor step first
    sign_in(client, officer_2fa)
    assert client.get(url).status_code == 200


def test_closing_twice_says_it_is_closed(client, officer_2fa, faculty):
    run = closed_run(by=officer_2fa, completing=people(1), instructor=faculty)
    client.force_login(faculty)
    response = client.get(reverse("training:run_close", args=[run.pk]))
    assert response.status_code == 302


# --- The PDF page and my certificates ---------------------------------------------------


def test_pdf_is_served_to_its_holder_the_runs_managers_and_officers(
    client, certificate, holder, faculty, officer_2fa
):
    url = reverse("training:certificate_pdf", args=[certificate.pk])
    for person in (holder, faculty):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    sign_in(client, officer_2fa)
    assert client.get(url).status_code == 200


def test_pdf_is_hidden_from_others(client, certificate, owner, student):
    url = reverse("training:certificate_pdf", args=[certificate.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for person in (owner, student):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(reverse("training:certificate_pdf", args=[99999])).status_code == 404


def test_my_certificates_lists_mine_with_state_and_links(client, officer_2fa, holder):
    closed_run(by=officer_2fa, completing=[holder], build=True)
    preparing = closed_run(by=officer_2fa, completing=[holder, UserFactory(role="student")])
    revoked = holder.certificates.get(enrolment__run=preparing)
    revoked.revoked_at = timezone.now()
    revoked.save()
    client.force_login(holder)
    page = client.get(reverse("training:my_certificates"))
    assert page.status_code == 200
    certificates = list(page.context["certificates"])
    assert len(certificates) == 2 and {c.holder for c in certificates} == {holder}
    html = page.content.decode()
    built = holder.certificates.exclude(pdf="").get()
    assert reverse("training:certificate_pdf", args=[built.pk]) in html
    assert reverse("training:certificate_verify", args=[built.code]) in html
    assert "กำลังจัดทำ" in html  # the other PDF is being prepared
    assert "เพิกถอนแล้ว" in html


def test_pdf_not_built_yet_sends_back_with_a_message(client, officer_2fa, holder):
    closed_run(by=officer_2fa, completing=[holder])
    client.force_login(holder)
    response = client.get(reverse("training:certificate_pdf", args=[holder.certificates.get().pk]))
    assert response.status_code == 302
    assert response.url == reverse("training:my_certificates")


# --- The officers' register and revoking ------------------------------------------------


def test_register_finds_by_number_code_and_holder(client, officer_2fa, certificate):
    other = closed_run(by=officer_2fa, completing=people(2))
    sign_in(client, officer_2fa)
    url = reverse("training:certificate_list")
    assert client.get(url).context["page_obj"].paginator.count == 3
    for q in (certificate.number, certificate.code.lower(), "สมศรี"):
        found = list(client.get(url, {"q": q}).context["page_obj"])
        assert found == [certificate], q
    assert other.pk
    assert list(client.get(url, {"q": "nobody-here"}).context["page_obj"]) == []
    assert client.get(url, {"q": "a\x00b"}).status_code in (200, 400)


def test_register_query_count_does_not_grow(client, officer_2fa, django_assert_max_num_queries):
    closed_run(by=officer_2fa, completing=people(3))
    sign_in(client, officer_2fa)
    url = reverse("training:certificate_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    closed_run(by=officer_2fa, completing=people(20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page_obj"]) == 23


def test_register_and_revoking_are_for_officers_only(client, certificate, faculty, staff_2fa):
    for person in (faculty, certificate.holder):
        client.force_login(person)
        assert client.get(reverse("training:certificate_list")).status_code == 403
        revoke = reverse("training:certificate_revoke", args=[certificate.pk])
        assert client.post(revoke, {"confirmed": "yes", "reason": "x"}).status_code == 403
    sign_in(client, staff_2fa)
    assert client.get(reverse("training:certificate_list")).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoking_needs_a_reason_then_lapses_the_clearance(client, officer_2fa, certificate):
    holder = certificate.holder
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(required_clearance=kind)

    def refusal_reasons():
        found = bookings.refusals(
            resource=kiln, person=holder, starts_at=at(2, 9), ends_at=at(2, 11)
        )
        return {refusal.code for refusal in found}

    assert Clearance.objects.not_revoked().get(holder=holder, kind=kind).certificate == certificate
    assert bookings.Reason.NO_CLEARANCE not in refusal_reasons()

    sign_in(client, officer_2fa)
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    question = client.get(url)
    assert question.status_code == 200 and certificate.number in question.content.decode()
    # Without a reason nothing happens.
    assert client.post(url, {"confirmed": "yes", "reason": "  "}).status_code == 400
    # A one-tap POST without the confirmation only asks again.
    assert client.post(url, {"reason": "ทุจริตการสอบ"}).status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    response = client.post(url, {"confirmed": "yes", "reason": "ทุจริตการสอบ"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoke_reason == "ทุจริตการสอบ"
    assert bookings.Reason.NO_CLEARANCE in refusal_reasons()
    assert Notification.objects.filter(recipient=holder, kind="certificate_revoked").exists()
    assert AuditEntry.objects.filter(action="certificate.revoke", actor=officer_2fa).exists()
    # A revoked certificate cannot be revoked again.
    assert client.get(url).status_code == 404


# --- Verification (public) --------------------------------------------------------------


def test_verify_valid_code(client, certificate):
    page = client.get(reverse("training:certificate_verify", args=[certificate.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["status"] == "valid"
    for expected in (
        "นางสาวสมศรี ใจดี",
        KILN_COURSE_TH,
        certificate.number,
        str(timezone.localdate(certificate.issued_at).year + 543),
    ):
        assert expected in html
    # Nothing more of the holder than the certificate shows.
    assert certificate.holder.email not in html


def test_verify_json(client, certificate):
    data = client.get(reverse("training:certificate_verify_json", args=[certificate.code])).json()
    assert data["status"] == "valid"
    assert data["holder"] == "นางสาวสมศรี ใจดี"
    assert data["number"] == certificate.number
    assert data["course"]["th"] == KILN_COURSE_TH
    assert data["hours"] == "12"
    assert data["issued_on"] == timezone.localdate(certificate.issued_at).isoformat()
    assert data["revoked_on"] is None
    assert "email" not in data


def test_verify_revoked_code_shows_the_date(client, certificate, officer_2fa):
    from training.services import courses

    courses.revoke_certificate(certificate=certificate, by=officer_2fa, reason="ทุจริตการสอบ")
    certificate.refresh_from_db()
    page = client.get(reverse("training:certificate_verify", args=[certificate.code]))
    assert page.status_code == 200 and page.context["status"] == "revoked"
    html = page.content.decode()
    with translation.override("th"):
        assert format_date(certificate.revoked_at) in html
    assert "ทุจริตการสอบ" not in html  # the reason is the holder's business
    data = client.get(reverse("training:certificate_verify_json", args=[certificate.code])).json()
    assert data["status"] == "revoked"
    assert data["revoked_on"] == timezone.localdate(certificate.revoked_at).isoformat()


@pytest.mark.parametrize(
    "code",
    ["ZZZZZZZZZZZZ", "abc", "0O1IL", "x" * 300, "เกียรติบัตร", "<script>", "'; drop", "%25%00"],
)
def test_verify_unknown_or_junk_codes_never_fail(client, db, code):
    page = client.get(f"/verify/{code}/")
    assert page.status_code in (404, 400)
    if page.status_code == 404 and page.context:
        assert page.context["status"] == "unknown"
    data = client.get(f"/verify/{code}.json")
    assert data.status_code in (404, 400)
    if data.status_code == 404 and data["Content-Type"] == "application/json":
        assert data.json() == {"status": "unknown"}


def test_verify_form_takes_a_typed_code(client, certificate):
    url = reverse("training:certificate_verify_form")
    assert client.get(url).status_code == 200
    typed = " " + certificate.code.lower()[:6] + "-" + certificate.code.lower()[6:] + " "
    response = client.get(url, {"code": typed})
    assert response.status_code == 302
    assert response.url == reverse("training:certificate_verify", args=[certificate.code])
    junk = client.get(url, {"code": "ไม่ใช่รหัส/../"})
    assert junk.status_code == 404
    assert "ไม่ใช่รหัส" in junk.content.decode()


def test_verify_pages_need_no_sign_in(client, certificate):
    for name, args in (
        ("training:certificate_verify_form", []),
        ("training:certificate_verify", [certificate.code]),
        ("training:certificate_verify_json", [certificate.code]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_my_certificates_query_count_does_not_grow(
    client, officer_2fa, holder, django_assert_max_num_queries
):
    closed_run(by=officer_2fa, completing=[holder], build=True)
    client.force_login(holder)
    url = reverse("training:my_certificates")
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for _ in range(4):
        closed_run(by=officer_2fa, completing=[holder])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["certificates"]) == 5
