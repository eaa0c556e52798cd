"""One module per report; each registers itself (reports.base.register)."""

from . import enrolments, enterprises, lab, products, summary, training  # noqa: F401
