"""One module per report; each registers itself (reports.base.register)."""

from . import (
    enrolments,  # noqa: F401
    lab,  # noqa: F401
    training,  # noqa: F401
)
