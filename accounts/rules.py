"""Who may do what with accounts; views and services check the same predicates."""

import rules
from allauth.mfa.utils import is_mfa_enabled

from .models import Role


@rules.predicate
def is_officer(user):
    return user.is_authenticated and user.role == Role.OFFICER


@rules.predicate
def is_centre_staff(user):
    return user.is_authenticated and user.role == Role.CENTRE_STAFF


@rules.predicate
def has_mfa(user):
    return user.is_authenticated and is_mfa_enabled(user)


rules.add_perm("accounts.invite_user", is_officer & has_mfa)
