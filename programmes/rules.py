"""Who may do what with programmes and applications; views and services ask the same.

Officers act only with two-factor sign-in, as on every staff page: at account level
here, and for a web request also in its session (accounts.rules.has_mfa).
"""

import rules

from accounts.rules import is_staff_officer
from entrepreneurs.rules import is_enterprise_member

# Partners, programmes, their partners and intakes.
rules.add_perm("programmes.manage_programmes", is_staff_officer)
rules.add_perm("programmes.decide_enrolment", is_staff_officer)
# The enterprise is the object: its members apply for it, and officers on its behalf.
rules.add_perm("programmes.apply_for_enterprise", is_enterprise_member | is_staff_officer)
