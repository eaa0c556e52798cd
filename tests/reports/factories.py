"""A small known data set for the report tests, and a way to run a job as a worker would."""

import datetime

from django.utils import timezone

from programmes.models import Enrolment, EnrolmentStatus
from reports import services
from reports.filters import ReportFilters
from tests.factories import EnterpriseFactory, IntakeFactory, ProgrammeFactory, subdistrict

# Ko Kha (5203) in Lampang (52); Mueang Chiang Mai (5001) in Chiang Mai (50).
CHIANG_MAI_SUBDISTRICT = "500101"


def moment(year, month, day):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


def enrolment_data():
    """Two programmes in two fiscal years; five applications in two provinces.

    Programme A (FY 2570), intake A1: three Lampang enterprises (accepted, waitlisted,
    rejected), one Chiang Mai enterprise (submitted); a draft that no report counts.
    Programme B (FY 2569), intake B1: one Lampang enterprise, active.
    """
    programme_a = ProgrammeFactory(title_th="โครงการ ก", title_en="Programme A", fiscal_year=2570)
    programme_b = ProgrammeFactory(title_th="โครงการ ข", title_en="Programme B", fiscal_year=2569)
    intake_a = IntakeFactory(programme=programme_a, name_th="รุ่น ก1", name_en="A1")
    intake_b = IntakeFactory(programme=programme_b, name_th="รุ่น ข1", name_en="B1")
    lampang = [EnterpriseFactory(name_th=f"วิสาหกิจลำปาง {n}") for n in range(4)]
    chiang_mai = EnterpriseFactory(
        name_th='=HYPERLINK("http://evil")', subdistrict=subdistrict(CHIANG_MAI_SUBDISTRICT)
    )
    rows = [
        (intake_a, lampang[0], EnrolmentStatus.ACCEPTED, moment(2026, 11, 2)),
        (intake_a, lampang[1], EnrolmentStatus.WAITLISTED, moment(2026, 11, 3)),
        (intake_a, lampang[2], EnrolmentStatus.REJECTED, moment(2026, 11, 4)),
        (intake_a, chiang_mai, EnrolmentStatus.SUBMITTED, moment(2026, 11, 5)),
        (intake_a, lampang[3], EnrolmentStatus.DRAFT, None),
        (intake_b, lampang[0], EnrolmentStatus.ACTIVE, moment(2026, 1, 10)),
    ]
    enrolments = [
        Enrolment.objects.create(
            intake=intake, enterprise=enterprise, status=status, submitted_at=at
        )
        for intake, enterprise, status, at in rows
    ]
    return {
        "programmes": (programme_a, programme_b),
        "intakes": (intake_a, intake_b),
        "enrolments": enrolments,
    }


def build(report, fmt="csv", *, by, filters=None, capture=None):
    """Ask for a report and run its task at once (eagerly, in this transaction)."""
    job, _created = services.request_report(
        report=report, fmt=fmt, filters=filters or ReportFilters(), by=by
    )
    outcome = services.run_report(job_id=job.pk, token="test-token")
    job.refresh_from_db()
    return job, outcome
