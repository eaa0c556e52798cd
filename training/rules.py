"""Who may do what in the lab; views and services ask the same predicates.

Centre staff run the lab, and act only with two-factor sign-in (accounts.rules.has_mfa).
"""

import rules

from accounts.rules import has_mfa, is_centre_staff

is_lab_staff = is_centre_staff & has_mfa

# Resources, blackouts, maintenance, approvals, check-in, usage, suspensions.
rules.add_perm("training.run_lab", is_lab_staff)
# Granting and revoking clearances.
rules.add_perm("training.manage_clearances", is_lab_staff)
