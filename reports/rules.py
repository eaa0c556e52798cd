"""Who may ask for a report and who may download one; views, services and tasks ask here.

Officers may ask for every report, with two-factor sign-in; a report may also name other
roles (`Report.roles`), centre staff again with two-factor sign-in. The check runs when
the job is asked for, when the worker runs it (the asker may have lost the right since)
and at every download.
"""

from accounts.models import Role
from accounts.rules import has_mfa


def may_request(user, report) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.needs_mfa and not has_mfa(user):
        return False
    return user.role == Role.OFFICER or user.role in report.roles


def may_download(user, job) -> bool:
    """Officers download every report; anyone else only what they asked for, if still allowed."""
    definition = job.definition
    if definition is None or not may_request(user, definition):
        return False
    if user.role == Role.OFFICER:
        return True
    return job.requested_by_id == user.pk or job.subscribers.filter(pk=user.pk).exists()


def reports_for(user) -> list:
    """The reports this person may ask for, in the registry's order."""
    from .registry import REPORTS

    return [report for report in REPORTS.values() if may_request(user, report)]
