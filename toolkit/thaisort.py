"""Thai names in the order of a Thai dictionary, on PostgreSQL and on SQLite alike.

Sorting by code point puts every word that starts with เ แ โ ใ ไ after every other
Thai word (เกาะคา after ห้างฉัตร), because Thai writes those vowels before the consonant
they follow in speech. A dictionary orders by the consonant first.

PostgreSQL orders with ICU's Thai collation, which has that rule. SQLite has no ICU
here, so every SQLite connection gets a collation of the same name whose key below
follows the same rules; `thai_order()` is the one expression every list uses.

The officers' lists have indexes on the collated names. SQLite keeps such an index in
the key's order, so a change to the key needs a REINDEX, and only connections that know
the collation (Django's) may write to those tables.
"""

import unicodedata
from functools import lru_cache

from django.db.models import F
from django.db.models.functions import Collate

# ICU's Thai collation on PostgreSQL; SQLite connections register one of the same name.
THAI_COLLATION = "th-TH-x-icu"

_LEADING_VOWELS = frozenset("เแโใไ")
# Letters in dictionary order: the consonants ก..ฮ (ฤ after ร, ฦ after ล), then the
# vowels as ICU places them.
_THAI_LETTERS = {
    ch: i for i, ch in enumerate([chr(c) for c in range(0x0E01, 0x0E2F)] + list("ํะัาๅำิีึืุูเแโใไฺ"))
}
# Marks that do not change which word comes first, only break ties between words that
# are otherwise the same, in ICU's order: yamakkan, thanthakhat, maitaikhu, the tone marks.
_SECONDARY_MARKS = {ch: i for i, ch in enumerate("๎์็่้๊๋", start=1)}
_THAI_DIGITS = {chr(0x0E50 + i): i for i in range(10)}
# Spaces, punctuation and symbols are passed over (ICU's "shifted" characters): "ก-ข",
# "ก ข" and "กข" sort together and only then apart. Mai yamok (ๆ) and paiyannoi (ฯ) count
# as such marks too.
_IGNORED_CATEGORIES = ("P", "Z", "S", "C")

# Primary weights fall into groups in ICU's Thai order: digits, Thai, Latin, the rest.
_GROUP = 0x110000
_DIGIT, _THAI, _LATIN, _OTHER = (g * _GROUP for g in range(4))
_FIRST_LAST = _GROUP * 5


def _is_thai_consonant(ch):
    return "\u0e01" <= ch <= "\u0e2e"


def _is_ignored(ch):
    return ch in "ๆฯ" or unicodedata.category(ch)[0] in _IGNORED_CATEGORIES


def _primary(ch):
    if ch in _THAI_DIGITS:
        return _DIGIT + _THAI_DIGITS[ch]
    if ch.isdigit():
        return _DIGIT + unicodedata.digit(ch, 0)
    if ch in _THAI_LETTERS:
        return _THAI + _THAI_LETTERS[ch]
    if ch.isascii():
        return _LATIN + ord(ch.lower())
    return _OTHER + ord(ch.lower())


@lru_cache(maxsize=65536)
def thai_sort_key(text):
    """A sort key that puts Thai text in dictionary order and Latin text A to Z.

    The levels of ICU: first the letters (a leading vowel counted after the consonant
    that follows it; tone marks, spaces and punctuation passed over), then tone marks
    and accents, then letter case, then spaces and punctuation; last the text itself,
    so two different texts never compare equal.
    """
    text = unicodedata.normalize("NFC", text or "")
    # The old spelling of sara am (nikhahit + sara aa) sorts as sara am.
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    chars = list(text)
    # Read a leading vowel after its consonant: เกาะ is compared as กเาะ.
    i = 0
    while i < len(chars) - 1:
        if chars[i] in _LEADING_VOWELS and _is_thai_consonant(chars[i + 1]):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            i += 2
        else:
            i += 1
    primary, secondary, tertiary, quaternary = [], [], [], []
    for ch in chars:
        if _is_ignored(ch):
            quaternary.append(ord(ch))
            continue
        mark = _SECONDARY_MARKS.get(ch)
        if mark is not None:
            if secondary:
                secondary[-1] += (mark,)
            else:
                secondary.append((mark,))
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        primary.append(_primary(base))
        secondary.append(tuple(ord(c) for c in decomposed[1:]))
        tertiary.append(1 if base.isupper() or base in _THAI_DIGITS else 0)
        quaternary.append(_FIRST_LAST)
    return (tuple(primary), tuple(secondary), tuple(tertiary), tuple(quaternary), text)


def sqlite_thai_collation(a, b):
    """The collation function registered on SQLite connections under THAI_COLLATION."""
    ka, kb = thai_sort_key(a), thai_sort_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite_collation(sender, connection, **kwargs):
    """connection_created receiver: teach each SQLite connection the Thai collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(THAI_COLLATION, sqlite_thai_collation)


def thai_collated(field):
    """The expression `field` collated in Thai dictionary order (for indexes and ORDER BY)."""
    return Collate(F(field), THAI_COLLATION)


def thai_order(field):
    """An ORDER BY term for a Thai name: "name_th" or "-name_th" (descending)."""
    if field.startswith("-"):
        return thai_collated(field[1:]).desc()
    return thai_collated(field).asc()


def thai_sorted(items, key=lambda item: item):
    """Sort Python objects by a Thai text, in the order the database gives."""
    return sorted(items, key=lambda item: thai_sort_key(key(item)))
