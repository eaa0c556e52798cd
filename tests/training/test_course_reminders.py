"""The reminder the day before a course session: each enrolled person once, in their language."""

import pytest
from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutboundEmail
from notifications.rendering import render_subject, render_summary
from tests.concurrency import at_once, require_postgresql
from tests.factories import UserFactory, at
from training import tasks
from training.models import CourseEnrolmentStatus, CourseSession, RunStatus
from training.services.course_reminders import remind_sessions_tomorrow

from .factories_attend import add_session, enrol, make_run

pytestmark = pytest.mark.django_db
KIND = "course_session_reminder"


def reminded(user):
    return Notification.objects.filter(recipient=user, kind=KIND).count()


def test_the_reminder_task_is_on_the_beat_schedule_hourly():
    scheduled = {
        entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }
    hourly = scheduled["training.tasks.remind_sessions_tomorrow"]
    assert hourly.hour == set(range(24)) and len(hourly.minute) == 1


def test_every_enrolled_person_is_reminded_once_in_their_language(student):
    english = UserFactory(role="faculty", language="en", email="en@tu.ac.th", full_name="Ann Lee")
    run = make_run()
    session = add_session(run, 1, hour=9, place="ห้อง 201")
    thai_enrolment = enrol(run, student)
    enrol(run, english)
    waiting = enrol(run, status=CourseEnrolmentStatus.WAITLISTED)
    gone = enrol(run, status=CourseEnrolmentStatus.CANCELLED)

    assert tasks.remind_sessions_tomorrow.delay().get() == 2

    thai = OutboundEmail.objects.get(to=student.email)
    assert thai.subject.startswith("แจ้งเตือน")
    assert "การใช้เตาเผาไฟฟ้า" in thai.subject
    assert str(timezone.localdate(session.starts_at).year + 543) in thai.subject
    assert "ห้อง 201" in thai.body
    assert reverse("training:my_attendance", args=[thai_enrolment.pk]) in thai.body
    en = OutboundEmail.objects.get(to=english.email)
    assert en.subject.startswith("Reminder: Electric kiln operation tomorrow")
    assert str(timezone.localdate(session.starts_at).year) in en.subject
    assert "Dear Ann Lee" in en.body
    assert reminded(waiting.person) == reminded(gone.person) == 0
    session.refresh_from_db()
    assert session.reminded_at is not None

    # Hourly runs after that send nothing more.
    assert tasks.remind_sessions_tomorrow.delay().get() == 0
    assert OutboundEmail.objects.count() == 2
    assert reminded(student) == reminded(english) == 1


def test_the_notice_reads_in_the_inbox_with_a_summary(student):
    run = make_run()
    add_session(run, 1, hour=13)
    enrol(run, student)
    remind_sessions_tomorrow()
    notice = Notification.objects.get(kind=KIND)
    assert "การใช้เตาเผาไฟฟ้า" in render_subject(notice)
    assert "13:00" in render_summary(notice)


def test_only_sessions_starting_tomorrow_local_time_are_reminded(student):
    run = make_run()
    enrol(run, student)
    add_session(run, 0, hour=23, hours=1)
    first = add_session(run, 1, hour=0, hours=1)
    last = add_session(run, 1, hour=23, hours=1)
    add_session(run, 2, hour=0, hours=1)

    assert remind_sessions_tomorrow(now=at(0, 12)) == 2
    assert set(CourseSession.objects.filter(reminded_at__isnull=False)) == {first, last}


def test_two_sessions_tomorrow_remind_each(student):
    run = make_run()
    enrol(run, student)
    add_session(run, 1, hour=9, hours=2)
    add_session(run, 1, hour=13, hours=2)
    assert remind_sessions_tomorrow() == 2
    assert reminded(student) == 2


@pytest.mark.parametrize("status", [RunStatus.CLOSED, RunStatus.CANCELLED])
def test_sessions_of_closed_or_cancelled_runs_are_not_reminded(student, status):
    run = make_run(status=status)
    enrol(run, student)
    add_session(run, 1)
    assert remind_sessions_tomorrow() == 0
    assert reminded(student) == 0


def test_a_session_added_late_the_day_before_is_reminded_by_the_next_run(student):
    run = make_run()
    enrol(run, student)
    now = at(0, 18)
    assert remind_sessions_tomorrow(now=now) == 0
    late = add_session(run, 1, hour=8)
    assert remind_sessions_tomorrow(now=now.replace(hour=19)) == 1
    late.refresh_from_db()
    assert late.reminded_at == now.replace(hour=19)


def test_a_session_another_worker_already_claimed_is_not_reminded_again(student, monkeypatch):
    run = make_run()
    enrol(run, student)
    session = add_session(run, 1)
    update = QuerySet.update

    def claimed_meanwhile(queryset, **kwargs):
        # Another worker's UPDATE lands between this one's SELECT and its own UPDATE.
        if queryset.model is CourseSession:
            update(CourseSession.objects.filter(pk=session.pk), reminded_at=timezone.now())
        return update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", claimed_meanwhile)
    assert remind_sessions_tomorrow() == 0
    assert reminded(student) == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_reminder_per_person_and_session():
    require_postgresql()
    run = make_run()
    people = [enrol(run).person for _ in range(3)]
    for hour in (8, 13):
        add_session(run, 1, hour=hour, hours=2)

    results = at_once([remind_sessions_tomorrow for _ in range(4)])

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 6
    for person in people:
        assert reminded(person) == 2
    assert OutboundEmail.objects.count() == 6
