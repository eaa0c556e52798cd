"""The filters a report job is built with: stored on the job as JSON, read back as one value.

Every report reads the same `ReportFilters`; each report declares which of them it uses
(`Report.filters`), and the request form drops the others, so two requests that differ
only in a filter the report ignores are the same job.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

FILTER_NAMES = (
    "programme",
    "intake",
    "fiscal_year",
    "province",
    "district",
    "date_from",
    "date_to",
    "state",
    "kind",
    "verification",
    "area",
    "stage",
)


@dataclass(frozen=True)
class ReportFilters:
    programme: int | None = None
    intake: int | None = None
    # A Thai government fiscal year in B.E.: 1 October of the year before to 30 September.
    fiscal_year: int | None = None
    province: str = ""
    district: str = ""
    date_from: datetime.date | None = None
    # Inclusive: the last day the report covers.
    date_to: datetime.date | None = None
    # Stored choice values: an application's state, an enterprise's kind and verification,
    # an upgrade record's area and stage.
    state: str = ""
    kind: str = ""
    verification: str = ""
    area: str = ""
    stage: str = ""

    def as_json(self) -> dict:
        """Only the filters set, dates as ISO text, in a fixed order (a job's request key)."""
        data = {}
        for name in FILTER_NAMES:
            value = getattr(self, name)
            if value in (None, ""):
                continue
            data[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ReportFilters":
        values = {}
        for name in FILTER_NAMES:
            value = (data or {}).get(name)
            if value in (None, ""):
                continue
            if name in ("date_from", "date_to"):
                value = datetime.date.fromisoformat(value)
            elif name in ("programme", "intake", "fiscal_year"):
                value = int(value)
            else:
                value = str(value)
            values[name] = value
        return cls(**values)

    def only(self, names) -> "ReportFilters":
        """These filters with every one not in `names` cleared."""
        return dataclasses.replace(ReportFilters(), **{name: getattr(self, name) for name in names})

    def place(self, enterprise: str) -> Q:
        """Rows whose enterprise (the path `enterprise` leads to) is in the chosen area."""
        if self.district:
            return Q(**{f"{enterprise}__district_id": self.district})
        if self.province:
            return Q(**{f"{enterprise}__province_id": self.province})
        return Q()

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The days covered, [start, end) with `end` exclusive; None where unbounded.

        A fiscal year and a date range together cover the days in both.
        """
        start, end = self.date_from, None
        if self.date_to:
            end = self.date_to + datetime.timedelta(days=1)
        if self.fiscal_year:
            year = self.fiscal_year - 543
            fy_start, fy_end = datetime.date(year - 1, 10, 1), datetime.date(year, 10, 1)
            start = max(start, fy_start) if start else fy_start
            end = min(end, fy_end) if end else fy_end
        return start, end

    def moments(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """period() as aware moments at Bangkok midnight, for filtering datetime fields."""
        start, end = self.period()

        def aware(day):
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))

        return aware(start), aware(end)
