"""Every report, by slug: reports.base.REPORTS, filled by importing the definitions."""

from . import definitions  # noqa: F401 (each module registers its report)
from .base import REPORTS, Report

__all__ = ["REPORTS", "Report"]
