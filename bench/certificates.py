"""Time closing a course run of 200 people and building their certificate PDFs.

    .venv/bin/python bench/certificates.py [--people 200]

Works in a throwaway test database (Django's test_<name> of DATABASE_URL's database, or
an in-memory SQLite one), created and dropped by the script; the PDFs go to a temporary
folder. Tasks run in this process (Celery eager), emails to memory: nothing reaches a
broker or a mailbox.

Measured: `close_run` (what the request does: completes everyone, issues the Certificate
rows and clearances, queues the build), then `tasks.build_certificates` run as the worker
runs it (every PDF, then a notification and email per holder), then the same task again
(a redelivery: nothing to build). Prints a markdown table.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
_private = tempfile.TemporaryDirectory(prefix="bench-certificates-")
os.environ["PRIVATE_MEDIA_ROOT"] = _private.name

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from config.celery import app  # noqa: E402
from training import tasks  # noqa: E402
from training.models import (  # noqa: E402
    Attendance,
    Certificate,
    ClearanceKind,
    Course,
    CourseClearance,
    CourseEnrolment,
    CourseRun,
    CourseSession,
)
from training.services import courses  # noqa: E402

app.conf.task_always_eager = True


def make_run(people):
    """A closed-ready run: `people` students enrolled, present at both sessions."""
    officer = User.objects.create_user(
        email="bench.officer@bench.invalid", full_name="เจ้าหน้าที่ ทดสอบ", role=Role.OFFICER
    )
    kind, _created = ClearanceKind.objects.get_or_create(
        code="electric-kiln",
        defaults={"name_th": "การใช้เตาเผาไฟฟ้า", "name_en": "Electric kiln operation"},
    )
    course = Course.objects.create(
        title_th="การใช้เตาเผาไฟฟ้าอย่างปลอดภัยสำหรับนักศึกษาและผู้ประกอบการเซรามิก",
        title_en="Safe electric kiln operation for students and ceramic entrepreneurs",
        hours=12,
        audience=["student"],
        attendance_required=80,
    )
    CourseClearance.objects.create(course=course, kind=kind, valid_days=365)
    now = timezone.now()
    run = CourseRun.objects.create(
        course=course,
        name="รุ่นที่ 1/2570",
        capacity=people,
        enrol_opens_at=now - timedelta(days=30),
        enrol_closes_at=now - timedelta(days=20),
    )
    run.instructors.add(officer)
    sessions = [
        CourseSession.objects.create(
            run=run,
            starts_at=now - timedelta(days=10 - day),
            ends_at=now - timedelta(days=10 - day, hours=-3),
            place="ห้อง 201",
        )
        for day in range(2)
    ]
    students = User.objects.bulk_create(
        User(
            email=f"bench.student{n}@bench.invalid",
            full_name=f"นักศึกษา ทดสอบ {n:03d}",
            role=Role.STUDENT,
            language="th" if n % 4 else "en",
        )
        for n in range(people)
    )
    enrolments = CourseEnrolment.objects.bulk_create(
        CourseEnrolment(run=run, person=student, enrolled_by=officer) for student in students
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment, mark="present", marked_by=officer)
        for session in sessions
        for enrolment in enrolments
    )
    return run, officer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run, officer = make_run(args.people)
        with mock.patch("training.tasks.build_certificates.delay") as queued:
            started = time.perf_counter()
            courses.close_run(run=run, by=officer)
            close_seconds = time.perf_counter() - started
        assert queued.called, "close_run did not queue the build"

        started, cpu_started = time.perf_counter(), time.process_time()
        built = tasks.build_certificates.apply(args=[run.pk]).get()
        build_seconds = time.perf_counter() - started
        build_cpu = time.process_time() - cpu_started

        started = time.perf_counter()
        rebuilt = tasks.build_certificates.apply(args=[run.pk]).get()
        again_seconds = time.perf_counter() - started

        pdfs = list(Certificate.objects.filter(enrolment__run=run))
        sizes = [Path(_private.name, c.pdf.name).stat().st_size for c in pdfs]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        vendor = connection.vendor
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        _private.cleanup()

    assert built == args.people and rebuilt == 0
    per_wall, per_cpu = build_seconds / built * 1000, build_cpu / built * 1000
    rows = [
        (
            "close_run (in the request: completion, certificates, clearances)",
            f"{close_seconds:.2f} s",
        ),
        (f"build_certificates (worker: {built} PDFs + notifications)", f"{build_seconds:.1f} s"),
        ("of which CPU time of this process", f"{build_cpu:.1f} s"),
        ("per certificate (wall, CPU)", f"{per_wall:.0f} ms, {per_cpu:.0f} ms"),
        ("build_certificates again (redelivery, nothing to build)", f"{again_seconds:.2f} s"),
        ("PDF size", f"{min(sizes) // 1024}–{max(sizes) // 1024} KB"),
        ("peak memory of the process", f"{peak_mb:.0f} MB"),
    ]
    print(f"| step ({args.people} people, {vendor}) | time |")
    print("|---|---|")
    for step, value in rows:
        print(f"| {step} | {value} |")


if __name__ == "__main__":
    main()
