"""Who may do what with accounts; views and services check the same predicates."""

import rules

from toolkit.twofactor import SESSION_ATTRIBUTE, account_has_two_factor

from .models import Role


@rules.predicate
def is_officer(user):
    return user.is_authenticated and user.role == Role.OFFICER


@rules.predicate
def is_centre_staff(user):
    return user.is_authenticated and user.role == Role.CENTRE_STAFF


@rules.predicate
def has_mfa(user):
    """The account has two-factor sign-in, and a web session acting for it passed it.

    The user of a request carries whether its session passed (toolkit.twofactor); a
    user loaded elsewhere (a task, a command) has no session to ask about.
    """
    if not account_has_two_factor(user):
        return False
    return getattr(user, SESSION_ATTRIBUTE, True)


# An officer acting with two-factor sign-in: what every officer decision asks.
is_staff_officer = is_officer & has_mfa

rules.add_perm("accounts.invite_user", is_staff_officer)
