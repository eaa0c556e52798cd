"""What a report is: its columns, the filters it reads, and the rows it streams.

A report module in reports/definitions/ subclasses `Report` and decorates it with
`@register`; reports.registry imports them all. Reports read through the `using`
database alias they are given (services.snapshot: one repeatable-read transaction) and
stream their rows, so no report holds a national table in memory.
"""

from collections.abc import Iterable, Sequence

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation

from .filters import ReportFilters
from .models import ReportFormat

# Rows fetched from the database per round trip while a report streams.
CHUNK_SIZE = 2000

REPORTS: dict[str, "Report"] = {}


class Report:
    slug: str = ""
    title = ""
    description = ""
    formats: tuple[str, ...] = (ReportFormat.CSV, ReportFormat.XLSX)
    # Whether the file names or reaches people: its downloads are then logged.
    personal_data: bool = False
    # Which ReportFilters fields the report reads; the others are dropped.
    filters: tuple[str, ...] = ()
    # Filters the request form insists on (a programme's summary needs its programme).
    required_filters: tuple[str, ...] = ()
    # Roles besides officers who may ask for it (officers may ask for every report).
    roles: tuple[str, ...] = ()

    def columns(self) -> Sequence[tuple[str, float]]:
        """(heading, width in characters) of each column, in the current language."""
        raise NotImplementedError

    def queryset(self, filters: ReportFilters, *, using: str = "default") -> QuerySet | None:
        """The query whose rows the file holds (a values_list), or None if not one query."""
        return None

    def row(self, values: Sequence) -> Sequence:
        """One row of the file from one row of `queryset()`; override to format values."""
        return values

    def rows(self, filters: ReportFilters, *, using: str = "default") -> Iterable[Sequence]:
        """The file's rows in order, streamed."""
        rows = self.queryset(filters, using=using).iterator(chunk_size=CHUNK_SIZE)
        try:
            for values in rows:
                yield self.row(values)
        finally:
            # Closes the server-side cursor now, inside the snapshot's transaction.
            rows.close()

    def count(self, filters: ReportFilters, *, using: str = "default") -> int:
        """How many rows rows() will give (the progress bar's end)."""
        return self.queryset(filters, using=using).count()

    def write_pdf(self, filters: ReportFilters, out, *, using: str = "default", progress=None):
        """Write the report as a PDF to the binary file `out`; returns rows written."""
        raise NotImplementedError


def register(cls):
    report = cls()
    if report.slug in REPORTS:
        raise ValueError(f"Two reports named {report.slug}")
    REPORTS[report.slug] = report
    return cls


def choice_label(choices) -> callable:
    """A function giving the label of a stored choice value (unknown values as they are)."""
    labels = dict(choices)

    def label(value):
        return str(labels.get(value, value)) if value not in (None, "") else ""

    return label


def bilingual(field: str):
    """`field`_en under English when filled, else `field`_th: a name in the reader's language."""
    if translation.get_language() == "en":
        return Coalesce(NullIf(f"{field}_en", Value("")), f"{field}_th")
    return F(f"{field}_th")
