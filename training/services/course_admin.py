"""Officers and faculty set up courses, their runs and sessions.

A session in a room of the centre holds the room in the lab calendar through an approved
lab booking, so a session and a booking never clash: the same overlap, cool-down and
blackout checks as any booking, and on PostgreSQL the exclusion constraint as the last
word. Opening hours and booking lead times do not bind a course, as they do not bind staff.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toolkit.audit import record_audit

from ..exceptions import NotAllowed
from ..models import (
    COURSE_PLACES,
    LIVE_STATES,
    Audience,
    Booking,
    BookingStatus,
    CourseClearance,
    CourseRun,
    CourseSession,
    Purpose,
    ResourceStatus,
    RunStatus,
)
from . import bookings
from .courses import may_manage, promote


def _require_manager(by, run=None):
    if not may_manage(by, run):
        raise NotAllowed()


@transaction.atomic
def save_course(*, course, by, audience, instructors, clearances=(), removed_clearances=()):
    """Create or change a course with its audience, instructors and the clearances it grants.

    `course` carries the form's fields, unsaved; `clearances` are the CourseClearance rows
    to keep (new ones unsaved), `removed_clearances` those to delete.
    """
    _require_manager(by)
    if set(audience) - set(Audience.values):
        raise ValidationError(_("Choose among the audiences listed."))
    if course.attendance_required > 100:
        raise ValidationError(_("The attendance needed cannot be more than 100%."))
    course.audience = [value for value in Audience.values if value in set(audience)]
    created = course.pk is None
    if created:
        course.created_by = by
    course.save()
    course.instructors.set(instructors)
    removed = {row.pk for row in removed_clearances if row.pk}
    CourseClearance.objects.filter(course=course, pk__in=removed).delete()
    kinds = set()
    for row in clearances:
        if row.pk in removed:
            continue
        if row.kind_id in kinds:
            raise ValidationError(_("Each clearance may be granted once."))
        kinds.add(row.kind_id)
        row.course = course
        row.save()
    record_audit(
        actor=by,
        action="course.create" if created else "course.update",
        target=course,
        published=course.is_published,
    )
    return course


@transaction.atomic
def save_run(*, run, by, instructors):
    """Create or change a run of a course: capacity, enrolment window, status, instructors."""
    _require_manager(by, run if run.pk else None)
    if run.capacity < 1:
        raise ValidationError(_("A run needs at least one place."))
    if run.enrol_closes_at <= run.enrol_opens_at:
        raise ValidationError(_("Enrolment must close after it opens."))
    created = run.pk is None
    if not created:
        # Under the run's lock, like enrolling: the places are counted against the new capacity.
        before = COURSE_PLACES.lock(run.pk)
        if before.status != run.status and RunStatus.CLOSED in (before.status, run.status):
            raise ValidationError(
                _("A run is closed on its closing page, which issues the certificates.")
            )
    elif run.status == RunStatus.CLOSED:
        raise ValidationError(
            _("A run is closed on its closing page, which issues the certificates.")
        )
    run.save()
    run.instructors.set(instructors)
    if not created and run.status == RunStatus.OPEN:
        promote(run)  # more places: the waitlist moves up, each person is told
    record_audit(
        actor=by,
        action="course_run.create" if created else "course_run.update",
        target=run,
        status=run.status,
        capacity=run.capacity,
    )
    return run


def _book_room(*, room, starts_at, ends_at, by, session_title):
    """An approved lab booking holding `room` for a session; BookingRefused when it clashes."""
    room = bookings._lock_resource(room.pk)
    if room.status == ResourceStatus.MAINTENANCE:
        raise bookings.maintenance_refusal(room).error()
    refusal = bookings.overlap_refusal(room, starts_at, ends_at)
    if refusal is not None:
        raise refusal.error()
    booking = bookings.new_booking(
        room,
        by,
        starts_at,
        ends_at,
        status=BookingStatus.APPROVED,
        purpose=Purpose.COURSE_PROJECT,
        description=session_title[:500],
        decided_by=by,
        decided_at=timezone.now(),
    )
    bookings._insert(booking)
    return booking


def _release_room(booking, *, by, reason):
    """Cancel a session's lab booking; the time freed is offered to those waiting for it."""
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.status not in LIVE_STATES:
        return booking
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = timezone.now(), by, reason
    booking.save()
    bookings._freed(booking)
    return booking


def _check_times(starts_at, ends_at):
    if ends_at <= starts_at:
        raise ValidationError(_("The session must end after it starts."))


def _check_place(room, place):
    if bool(room) == bool(place.strip()):
        raise ValidationError(
            _("Choose a room of the centre or write a place elsewhere, one of the two.")
        )


@transaction.atomic
def add_session(*, run, by, starts_at, ends_at, title="", room=None, place=""):
    """Add a session to a run; a room of the centre is booked in the lab calendar."""
    run = CourseRun.objects.select_related("course").get(pk=run.pk)
    _require_manager(by, run)
    _check_times(starts_at, ends_at)
    _check_place(room, place)
    session = CourseSession(run=run, title=title, starts_at=starts_at, ends_at=ends_at)
    if room is not None:
        session.room = room
        session.booking = _book_room(
            room=room, starts_at=starts_at, ends_at=ends_at, by=by, session_title=str(run)
        )
    else:
        session.place = place.strip()
    session.save()
    record_audit(
        actor=by,
        action="course_session.create",
        target=session,
        run=run.pk,
        room=room.pk if room else None,
        booking=session.booking_id,
    )
    return session


@transaction.atomic
def edit_session(*, session, by, starts_at, ends_at, title="", room=None, place=""):
    """Change a session; its lab booking moves with it (the old one cancelled, a new one made).

    Both happen in one transaction: when the new time clashes, nothing changes.
    """
    session = (
        CourseSession.objects.select_for_update(of=("self",))
        .select_related("run__course", "booking")
        .get(pk=session.pk)
    )
    _require_manager(by, session.run)
    _check_times(starts_at, ends_at)
    _check_place(room, place)
    old = session.booking
    moved = (
        room is None
        or old is None
        or old.resource_id != room.pk
        or old.starts_at != starts_at
        or old.ends_at != ends_at
        or old.status not in LIVE_STATES
    )
    if old is not None and moved:
        _release_room(old, by=by, reason=str(_("The course session moved.")))
        session.booking = None
    session.title, session.starts_at, session.ends_at = title, starts_at, ends_at
    if room is not None:
        session.room, session.place = room, ""
        if session.booking is None:
            session.booking = _book_room(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                by=by,
                session_title=str(session.run),
            )
    else:
        session.room, session.place = None, place.strip()
    session.save()
    record_audit(
        actor=by,
        action="course_session.update",
        target=session,
        room=room.pk if room else None,
        booking=session.booking_id,
        old_booking=old.pk if old else None,
    )
    return session


@transaction.atomic
def delete_session(*, session, by):
    """Delete a session; its lab booking is cancelled, freeing the room."""
    session = (
        CourseSession.objects.select_for_update(of=("self",))
        .select_related("run", "booking")
        .get(pk=session.pk)
    )
    _require_manager(by, session.run)
    if session.booking is not None:
        _release_room(session.booking, by=by, reason=str(_("The course session was removed.")))
    record_audit(
        actor=by,
        action="course_session.delete",
        target=session,
        run=session.run_id,
        starts_at=session.starts_at.isoformat(),
        booking=session.booking_id,
    )
    session.delete()
