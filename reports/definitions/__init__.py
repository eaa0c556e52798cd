"""One module per report; each registers itself (reports.base.register)."""

from . import enrolments  # noqa: F401
