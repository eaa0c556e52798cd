"""The reminder the day before a course session, sent once to each enrolled person.

Beat runs `remind_sessions_tomorrow` every hour, so a session added late the day before
is still reminded. Each session is claimed with a compare-and-swap UPDATE of
`reminded_at` in the transaction that queues its notices: of two workers running at once
only one changes the row, and only that one sends. Each person gets the notice in their
own language (notifications.rendering renders it in the recipient's language).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify

from ..models import CourseEnrolment, CourseEnrolmentStatus, CourseSession, RunStatus
from .reminders import tomorrow_bounds

# Runs whose sessions still take place.
REMINDED_RUNS = (RunStatus.PLANNED, RunStatus.OPEN)


def remind_sessions_tomorrow(now=None):
    """Remind every enrolled person of each session starting tomorrow; returns notices sent."""
    now = now or timezone.now()
    start, end = tomorrow_bounds(now)
    due = (
        CourseSession.objects.filter(
            starts_at__gte=start,
            starts_at__lt=end,
            reminded_at__isnull=True,
            run__status__in=REMINDED_RUNS,
        )
        .select_related("run__course", "room")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for session in due.iterator(chunk_size=200):
        with transaction.atomic():
            claimed = CourseSession.objects.filter(pk=session.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            enrolments = CourseEnrolment.objects.filter(
                run=session.run_id, status=CourseEnrolmentStatus.ENROLLED
            ).select_related("person")
            for enrolment in enrolments:
                notify(
                    enrolment.person,
                    "course_session_reminder",
                    session,
                    url=reverse("training:my_attendance", args=[enrolment.pk]),
                )
                sent += 1
    return sent
