"""Who may do what with enterprises; views and services check the same rules."""

import rules

from accounts.models import Role
from accounts.rules import is_officer, is_staff_officer


@rules.predicate
def is_entrepreneur(user):
    return user.is_authenticated and user.role == Role.ENTREPRENEUR


@rules.predicate
def is_enterprise_member(user, enterprise):
    """A member with a portal account, or the person who registered the enterprise."""
    if enterprise is None or not user.is_authenticated:
        return False
    if enterprise.created_by_id == user.pk:
        return True
    return enterprise.members.filter(user=user).exists()


rules.add_perm("entrepreneurs.register_enterprise", is_entrepreneur | is_officer)
rules.add_perm("entrepreneurs.register_enterprise_for_others", is_officer)
rules.add_perm("entrepreneurs.see_enterprise", is_officer | is_enterprise_member)
rules.add_perm("entrepreneurs.edit_enterprise", is_officer | is_enterprise_member)
rules.add_perm("entrepreneurs.set_enterprise_status", is_staff_officer)
