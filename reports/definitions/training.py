"""Training: one row per course run with its places, attendance rate and certificates.

Every count is a subquery of the one query over the runs, so the report is one query
(and one to count) whatever the number of runs, enrolments or marks.

Definitions, all as of the moment the report is built:

- enrolled: enrolments holding a place in the run (enrolled, completed or not
  completed); waitlisted and cancelled ones are not counted;
- sessions held: the run's sessions that have started;
- attendance rate: the "present" or "late" marks of people holding a place at the
  sessions held, out of sessions held × enrolled, in percent to one decimal; empty when
  no session was held or nobody holds a place. A run of 3 sessions held and 2 people, one
  at all 3 and one at 1, has 4 of 6 possible attendances: 66.7;
- certificates issued: every certificate of the run's enrolments, revoked ones included;
  revoked: those of them revoked since;
- the run's dates: the start of its first session and the end of its last. The period
  filters (fiscal year, date range) read the run's start; a run without sessions yet is
  dated by the close of its enrolment.
"""

from decimal import Decimal

from django.db.models import (
    Aggregate,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Role, User
from training.models import (
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
from training.selectors_attendance import count_subquery

from ..base import Report, bilingual, choice_label, register

status_label = choice_label(RunStatus.choices)
# Joins the instructors' names in SQL; row() splits, sorts and joins them for reading
# (SQLite before 3.44 cannot order inside GROUP_CONCAT).
NAME_SEPARATOR = "\x1f"
RATE_FIELD = DecimalField(max_digits=6, decimal_places=1)
ONE_DECIMAL = Decimal("0.1")


class JoinedText(Aggregate):
    """The group's texts joined by `separator`, in no particular order."""

    function = "STRING_AGG"
    output_field = CharField()

    def __init__(self, expression, separator, **extra):
        super().__init__(expression, Value(separator), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _names(people, group_by):
    """A subquery joining the names (or, unnamed, the emails) of `people`."""
    name = Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField())
    rows = (
        people.order_by()
        .values(group_by)
        .annotate(names=JoinedText(name, NAME_SEPARATOR))
        .values("names")
    )
    return Subquery(rows, output_field=CharField())


def runs_with_figures(now, using="default"):
    """Every course run annotated with the report's figures (see the module's docstring)."""
    run = OuterRef("pk")
    sessions = CourseSession.objects.filter(run=run)
    places = CourseEnrolment.objects.filter(run=run, status__in=COURSE_PLACE_HOLDING)
    certificates = Certificate.objects.filter(enrolment__run=run)
    attended = Attendance.objects.filter(
        session__run=run,
        session__starts_at__lt=now,
        mark__in=ATTENDED,
        enrolment__status__in=COURSE_PLACE_HOLDING,
    )
    # In floating point: SQLite stores a NUMERIC 700.0 as the integer 700, and 700 / 12
    # would then divide as integers.
    rate = ExpressionWrapper(
        Cast("attended", FloatField()) * 100 / NullIf(F("held") * F("enrolled"), 0),
        output_field=FloatField(),
    )
    return (
        CourseRun.objects.using(using)
        .annotate(
            first_starts_at=Subquery(sessions.order_by("starts_at").values("starts_at")[:1]),
            last_ends_at=Subquery(sessions.order_by("-ends_at").values("ends_at")[:1]),
            # The run's own instructors, else its course's (as its certificates say).
            instructor_names=Coalesce(
                _names(User.objects.filter(runs_taught=run), "runs_taught"),
                _names(User.objects.filter(courses_taught=OuterRef("course")), "courses_taught"),
            ),
            enrolled=count_subquery(places, "run"),
            waitlisted=count_subquery(
                CourseEnrolment.objects.filter(run=run, status=CourseEnrolmentStatus.WAITLISTED),
                "run",
            ),
            completed=count_subquery(
                CourseEnrolment.objects.filter(run=run, status=CourseEnrolmentStatus.COMPLETED),
                "run",
            ),
            session_count=count_subquery(sessions, "run"),
            held=count_subquery(sessions.filter(starts_at__lt=now), "run"),
            attended=count_subquery(attended, "session__run"),
            certificates_issued=count_subquery(certificates, "enrolment__run"),
            certificates_revoked=count_subquery(
                certificates.filter(revoked_at__isnull=False), "enrolment__run"
            ),
        )
        .annotate(
            attendance_rate=Round(
                rate, 1, output_field=DecimalField(max_digits=6, decimal_places=1)
            ),
            dated=Coalesce("first_starts_at", "enrol_closes_at"),
        )
    )


@register
class TrainingReport(Report):
    slug = "training"
    title = pgettext_lazy("report", "Training")
    description = gettext_lazy(
        "Every course run: dates, instructors, capacity, people enrolled, waitlisted and "
        "completed, attendance rate, certificates issued and revoked."
    )
    # One row per run: learners are only counted, but instructors are named, and a name is
    # personal data under the PDPA: downloads are logged.
    personal_data = True
    filters = ("fiscal_year", "date_from", "date_to")
    roles = (Role.FACULTY,)

    def columns(self):
        return [
            (_("Course no."), 10),
            (_("Course"), 40),
            (_("Run"), 24),
            (_("State"), 16),
            (_("Starts"), 12),
            (_("Ends"), 12),
            (_("Instructors"), 36),
            (_("Capacity"), 10),
            (_("Enrolled"), 10),
            (_("Waitlisted"), 10),
            (_("Completed"), 10),
            (_("Sessions"), 10),
            (_("Sessions held"), 10),
            (_("Attendance rate (%)"), 12),
            (_("Certificates issued"), 12),
            (_("Certificates revoked"), 12),
        ]

    def queryset(self, filters, *, using="default"):
        runs = runs_with_figures(timezone.now(), using=using)
        start, end = filters.moments()
        if start:
            runs = runs.filter(dated__gte=start)
        if end:
            runs = runs.filter(dated__lt=end)
        return runs.order_by("dated", "pk").values_list(
            "course_id",
            bilingual("course__title"),
            "name",
            "status",
            "first_starts_at",
            "last_ends_at",
            "instructor_names",
            "capacity",
            "enrolled",
            "waitlisted",
            "completed",
            "session_count",
            "held",
            "attendance_rate",
            "certificates_issued",
            "certificates_revoked",
        )

    def row(self, values):
        values = list(values)
        values[3] = status_label(values[3])
        values[4] = timezone.localdate(values[4]) if values[4] else None
        values[5] = timezone.localdate(values[5]) if values[5] else None
        # SQLite gives 50.0 back as 50: the same one decimal on every database.
        values[13] = values[13].quantize(ONE_DECIMAL) if values[13] is not None else None
        values[6] = ", ".join(sorted((values[6] or "").split(NAME_SEPARATOR))) or ""
        return values
