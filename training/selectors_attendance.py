"""Reads of attendance and teaching for the sheets and the homes: each a fixed number of queries.

Counts come from subqueries, so a page lists any number of runs, sessions or enrolments
without a query per row. The attendance share is worked out by
services.courses.percent_attended, the one place its rule lives.
"""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    ATTENDED,
    COURSE_PLACE_HOLDING,
    Attendance,
    Certificate,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)
from .services.courses import percent_attended

E = CourseEnrolmentStatus
# Runs whose attendance may still change.
LIVE_RUNS = (RunStatus.PLANNED, RunStatus.OPEN)


def count_subquery(queryset, group_by):
    """A subquery counting the rows of `queryset` (already filtered on OuterRef), 0 for none."""
    rows = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def day_bounds(now):
    """Local midnight to midnight of the day of `now`."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time(0)))
    return start, start + timedelta(days=1)


def taught_by(user):
    """Runs where `user` is an instructor of the run or of its course."""
    return CourseRun.objects.filter(Q(instructors=user) | Q(course__instructors=user)).distinct()


def my_runs(user, now=None):
    """The runs `user` teaches, not cancelled, live ones first, with their counts."""
    now = now or timezone.now()
    ids = taught_by(user).exclude(status=RunStatus.CANCELLED).values("pk")
    next_session = (
        CourseSession.objects.filter(run=OuterRef("pk"), starts_at__gte=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        CourseRun.objects.filter(pk__in=ids)
        .select_related("course")
        .annotate(
            enrolled_count=count_subquery(
                CourseEnrolment.objects.filter(run=OuterRef("pk"), status=E.ENROLLED), "run"
            ),
            session_count=count_subquery(CourseSession.objects.filter(run=OuterRef("pk")), "run"),
            next_session_at=Subquery(next_session),
        )
        .order_by(
            Coalesce("next_session_at", "enrol_closes_at").asc(nulls_last=True),
            "pk",
        )
    )


def with_marking_counts(sessions):
    """Sessions with `people` (holding places in the run) and `marked` (of those) counted."""
    return sessions.annotate(
        people=count_subquery(
            CourseEnrolment.objects.filter(
                run=OuterRef("run"), status__in=list(COURSE_PLACE_HOLDING)
            ),
            "run",
        ),
        marked=count_subquery(
            Attendance.objects.filter(
                session=OuterRef("pk"), enrolment__status__in=list(COURSE_PLACE_HOLDING)
            ),
            "session",
        ),
    ).annotate(unmarked=F("people") - F("marked"))


def sessions_taught(user):
    return CourseSession.objects.filter(
        run__in=taught_by(user).exclude(status=RunStatus.CANCELLED).values("pk")
    ).select_related("run__course", "room")


def todays_sessions(user, now=None):
    """The sessions of `user`'s runs that start today (local date)."""
    start, end = day_bounds(now or timezone.now())
    return with_marking_counts(
        sessions_taught(user).filter(starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at", "pk")


def sheets_to_fill(user, now=None):
    """Sessions of `user`'s live runs that have begun and still have someone unmarked."""
    now = now or timezone.now()
    return (
        with_marking_counts(
            sessions_taught(user).filter(starts_at__lt=now, run__status__in=LIVE_RUNS)
        )
        .filter(marked__lt=F("people"))
        .order_by("starts_at", "pk")
    )


def sheet_rows(session):
    """The people of the session's run with their mark at this session (None when unmarked)."""
    mark = Attendance.objects.filter(session=session, enrolment=OuterRef("pk")).values("mark")[:1]
    return (
        CourseEnrolment.objects.filter(run=session.run_id, status__in=list(COURSE_PLACE_HOLDING))
        .select_related("person")
        .annotate(mark=Subquery(mark))
        .order_by("person__full_name", "pk")
    )


def with_attendance(enrolments, now=None):
    """Enrolments with their run's next session, its session count and sessions attended."""
    now = now or timezone.now()
    next_session = CourseSession.objects.filter(run=OuterRef("run"), starts_at__gte=now).order_by(
        "starts_at"
    )
    return enrolments.select_related("run__course").annotate(
        next_session_at=Subquery(next_session.values("starts_at")[:1]),
        next_session_id=Subquery(next_session.values("pk")[:1]),
        session_count=count_subquery(CourseSession.objects.filter(run=OuterRef("run")), "run"),
        held_count=count_subquery(
            CourseSession.objects.filter(run=OuterRef("run"), starts_at__lt=now), "run"
        ),
        attended=count_subquery(
            Attendance.objects.filter(enrolment=OuterRef("pk"), mark__in=list(ATTENDED)),
            "enrolment",
        ),
    )


def add_shares(enrolments):
    """Set `share` (percent attended) and `required` on each enrolment; returns the list."""
    enrolments = list(enrolments)
    for enrolment in enrolments:
        enrolment.share = percent_attended(enrolment.attended, enrolment.session_count)
        enrolment.required = enrolment.run.course.attendance_required
        enrolment.on_track = enrolment.share >= enrolment.required
    return enrolments


def my_courses(user, now=None, limit=None):
    """`user`'s standing enrolments in runs not yet closed, soonest next session first."""
    enrolments = with_attendance(
        CourseEnrolment.objects.filter(
            person=user,
            status__in=(E.ENROLLED, E.WAITLISTED),
            run__status__in=LIVE_RUNS,
        ),
        now,
    ).order_by(Coalesce("next_session_at", "run__enrol_closes_at").asc(nulls_last=True), "pk")
    if limit is not None:
        enrolments = enrolments[:limit]
    return add_shares(enrolments)


def my_certificates(user, limit=None):
    certificates = Certificate.objects.valid().filter(holder=user).order_by("-issued_at", "-pk")
    if limit is not None:
        certificates = certificates[:limit]
    return list(certificates)


def people_trained(start, end):
    """How many people hold a certificate (not revoked) issued in [start, end): one query."""
    return (
        Certificate.objects.valid()
        .issued_between(start, end)
        .order_by()
        .values("holder")
        .distinct()
        .count()
    )
