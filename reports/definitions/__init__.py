"""One module per report; each registers itself (reports.base.register)."""

from . import enrolments, enterprises  # noqa: F401
