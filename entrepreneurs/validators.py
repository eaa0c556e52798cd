"""Checks of Thai identifiers: the 13-digit tax ID and the community-enterprise code."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolkit.identifiers import keyed_hash

from .models import Subdistrict

SEPARATORS = re.compile(r"[\s\-/.]")


def digits_only(value: str) -> str:
    return SEPARATORS.sub("", value or "")


def tax_id_check_digit(first12: str) -> int:
    """The mod-11 check digit of Thai national and juristic IDs."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def clean_tax_id(value: str) -> str:
    """13 digits with a valid check digit; separators are allowed and removed."""
    tax_id = digits_only(value)
    if not re.fullmatch(r"\d{13}", tax_id):
        raise ValidationError(_("A tax ID has 13 digits."), code="tax_id_length")
    if tax_id_check_digit(tax_id[:12]) != int(tax_id[12]):
        raise ValidationError(
            _("This tax ID's check digit is wrong: check each digit again."),
            code="tax_id_checksum",
        )
    return tax_id


def is_juristic(tax_id: str) -> bool:
    """Juristic persons' IDs start with 0; any other is a person's national ID."""
    return tax_id.startswith("0")


def hash_tax_id(tax_id: str) -> str:
    """A keyed hash under IDENTIFIER_HASH_KEYS: unique per ID, useless without the keys."""
    return keyed_hash(tax_id, purpose="tax-id")


def lookup_keys(pairs) -> tuple[set[str], set[str]]:
    """The registration codes and tax-ID hashes in (code, tax ID) pairs as typed, to look
    up in one query; values that cannot be either are left out."""
    codes, hashes = set(), set()
    for code, tax_id in pairs:
        code = digits_only(code)
        if code:
            codes.add(code)
        tax_id = digits_only(tax_id)
        if len(tax_id) == 13:
            hashes.add(hash_tax_id(tax_id))
    return codes, hashes


def display_tax_id(tax_id: str) -> str:
    """Juristic IDs in full; a person's national ID masked (PDPA)."""
    formatted = f"{tax_id[0]}-{tax_id[1:5]}-{tax_id[5:10]}-{tax_id[10:12]}-{tax_id[12]}"
    if is_juristic(tax_id):
        return formatted
    return f"{tax_id[0]}-xxxx-xxxxx-{tax_id[10:12]}-{tax_id[12]}"


def clean_registration_code(value: str) -> str:
    """The community-enterprise registration code: 12 digits (X-XX-XX-XX/X-XXXX)."""
    code = digits_only(value)
    if not re.fullmatch(r"\d{12}", code):
        raise ValidationError(
            _("A community-enterprise registration code has 12 digits, like 4-52-03-01/1-0012."),
            code="registration_code_format",
        )
    return code


def registration_code_warning(code: str):
    """A message when the code's subdistrict digits name no real subdistrict, else None.

    A warning, not a refusal: older codes were issued before some subdistricts were
    renumbered, and the officer verifying the enterprise decides.
    """
    if not code or len(code) != 12:
        return None
    tambon = code[1:7]
    if Subdistrict.objects.filter(code=tambon).exists():
        return None
    return unknown_subdistrict_warning(code)


def unknown_subdistrict_warning(code: str):
    """The warning for a registration code whose subdistrict digits are known to be unknown."""
    return _(
        "The digits %(tambon)s of this registration code name no current subdistrict. "
        "Check the code; it was saved as given."
    ) % {"tambon": code[1:7]}
