"""Who may do what in the lab; views and services ask the same predicates.

Centre staff run the lab, and act only with two-factor sign-in (accounts.rules.has_mfa).
"""

import rules

from accounts.models import Role
from accounts.rules import has_mfa, is_centre_staff, is_staff_officer

is_lab_staff = is_centre_staff & has_mfa


@rules.predicate
def is_faculty(user):
    return user.is_authenticated and user.role == Role.FACULTY


# Resources, blackouts, maintenance, approvals, check-in, usage, suspensions.
rules.add_perm("training.run_lab", is_lab_staff)
# The list of every booking, to read: centre staff, and officers reading the lab's use
# from their dashboard (acting on a booking stays training.run_lab).
rules.add_perm("training.view_lab_bookings", is_lab_staff | is_staff_officer)
# Granting and revoking clearances.
rules.add_perm("training.manage_clearances", is_lab_staff)

# Courses: officers (two-factor) and faculty create and run them; a run's instructors
# mark attendance and close it (checked per run in services.courses.may_manage).
rules.add_perm("training.manage_courses", is_staff_officer | is_faculty)
# Revoking a certificate is an officer's decision.
rules.add_perm("training.revoke_certificates", is_staff_officer)
