"""Who may do what with products; views and services check the same predicates.

Owners and members of a product's enterprise edit it; officers see and edit everything;
faculty and centre staff see products but do not edit them. Officers (and centre staff)
act only with two-factor sign-in, as on every staff page.
"""

import rules

from accounts.models import Role
from accounts.rules import is_officer, is_staff_officer
from entrepreneurs.rules import is_enterprise_member


@rules.predicate
def is_reviewer(user):
    """Faculty and centre staff read every product."""
    return user.is_authenticated and user.role in (Role.FACULTY, Role.CENTRE_STAFF)


@rules.predicate
def is_product_member(user, product):
    return product is not None and is_enterprise_member(user, product.enterprise)


@rules.predicate
def is_upgrade_product_member(user, record):
    """A member of the enterprise whose product an upgrade record is about."""
    return record is not None and is_product_member(user, record.product)


# An enterprise is the object of add_product: its members and officers add products.
rules.add_perm("products.add_product", is_enterprise_member | is_staff_officer)
rules.add_perm("products.view_product", is_product_member | is_officer | is_reviewer)
rules.add_perm("products.change_product", is_product_member | is_staff_officer)
rules.add_perm("products.manage_standards", is_staff_officer)
# A commercialised upgrade's price after becomes the product's price: the object is the
# record, and those who may edit the product's price may take it.
rules.add_perm("products.set_price_from_upgrade", is_upgrade_product_member | is_staff_officer)
