import pytest
from django.core.exceptions import ValidationError

from entrepreneurs.validators import (
    clean_registration_code,
    clean_tax_id,
    display_tax_id,
    hash_tax_id,
    is_juristic,
    registration_code_warning,
    tax_id_check_digit,
)


def with_check_digit(first12):
    return first12 + str(tax_id_check_digit(first12))


# A juristic person's ID (starts with 0) and a person's national ID.
JURISTIC = with_check_digit("010555012345")
PERSON = with_check_digit("352010012345")


def test_check_digit_matches_a_worked_example():
    # 3-1012-34567-89-?: sum of digit × (13 − position) = 184; (11 − 184 mod 11) mod 10 = 3.
    assert tax_id_check_digit("310123456789") == 3


@pytest.mark.parametrize("tax_id", [JURISTIC, PERSON])
def test_clean_tax_id_accepts_valid_ids(tax_id):
    assert clean_tax_id(tax_id) == tax_id


def test_clean_tax_id_removes_separators():
    spaced = f"{PERSON[0]}-{PERSON[1:5]} {PERSON[5:10]}-{PERSON[10:12]}-{PERSON[12]}"
    assert clean_tax_id(spaced) == PERSON


def test_clean_tax_id_refuses_a_wrong_check_digit():
    wrong = PERSON[:12] + str((int(PERSON[12]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        clean_tax_id(wrong)
    assert error.value.code == "tax_id_checksum"


@pytest.mark.parametrize("value", ["123456789012", "12345678901234", "31012345678a3", ""])
def test_clean_tax_id_refuses_anything_but_13_digits(value):
    with pytest.raises(ValidationError) as error:
        clean_tax_id(value)
    assert error.value.code == "tax_id_length"


def test_juristic_ids_show_in_full_and_personal_ids_masked():
    assert is_juristic(JURISTIC)
    assert not is_juristic(PERSON)
    assert display_tax_id(JURISTIC) == "0-1055-50123-45-" + JURISTIC[12]
    masked = display_tax_id(PERSON)
    assert masked == "3-xxxx-xxxxx-45-" + PERSON[12]
    assert "01234" not in masked


def test_hash_is_stable_unique_and_keyed(settings):
    first = hash_tax_id(PERSON)
    assert first == hash_tax_id(PERSON)
    assert first != hash_tax_id(JURISTIC)
    assert PERSON not in first
    settings.SECRET_KEY = "another-secret-key"
    assert hash_tax_id(PERSON) == first  # keys of its own: SECRET_KEY plays no part
    settings.IDENTIFIER_HASH_KEYS = ["another-installation"]
    assert hash_tax_id(PERSON) != first


@pytest.mark.parametrize("value", ["4-52-03-01/1-0012", "452030110012", "4 52 03 01 1 0012"])
def test_registration_code_accepts_its_written_forms(value):
    assert clean_registration_code(value) == "452030110012"


@pytest.mark.parametrize("value", ["4-52-03-01/1-001", "4520301100123", "4-52-03-01/1-00A2", ""])
def test_registration_code_refuses_other_than_12_digits(value):
    with pytest.raises(ValidationError) as error:
        clean_registration_code(value)
    assert error.value.code == "registration_code_format"


def test_registration_code_of_a_real_subdistrict_has_no_warning(db):
    assert registration_code_warning("452030110012") is None


def test_registration_code_of_an_unknown_subdistrict_warns(db):
    warning = registration_code_warning("499999910012")
    assert warning is not None
    assert "999999" in str(warning)
