"""Keyed hashes of identifiers (tax IDs, national IDs): unique and comparable, never readable.

A 13-digit ID has so few possible values that a plain hash is reversed by trying them
all; a keyed hash (HMAC) is not, as long as the key is secret. The keys are
`settings.IDENTIFIER_HASH_KEYS`, their own setting, so rotating SECRET_KEY changes no
stored hash.

Rotation. The plaintext is never stored, so nothing can be hashed again from scratch.
The stored value is therefore a chain, one HMAC per key, oldest key first:

    h1 = HMAC(k1, value)    h2 = HMAC(k2, h1)    ...    stored = hn

Rotating adds a key at the end: `manage.py rotate_identifier_key` wraps every stored hash
once more, `HMAC(new, stored)`, in one transaction, and the setting becomes "k1,...,new".
A lookup computes the same chain, so one indexed equality still finds a duplicate and
nothing else changes. Only the newest key needs to stay secret: with it unknown, the old
keys (even a leaked one) do not let anyone test guesses against the stored values.
Keeping old keys instead and re-hashing on the next entry was the other choice; it
leaves every record nobody edits hashed under the leaked key, and makes every lookup
try each key.

Each key is first derived with the identifier's purpose ("tax-id"), so the same key
never hashes two kinds of identifier alike. That derivation is the one the portal used
with SECRET_KEY before the keys were separate: a database from then is under the chain
"<that SECRET_KEY>", and rotating it from there works like any other rotation.

A check value (the chain applied to a fixed text) is kept in `KeyChainCheck` from the
first rotation on, so running the rotation twice, or starting with the wrong chain, is
refused instead of silently breaking duplicate detection.
"""

import hashlib
import hmac

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

# (model label, field name, purpose) of every field holding a keyed hash; each app
# registers its own in AppConfig.ready(), so the rotation finds them without importing apps.
HASHED_FIELDS: list[tuple[str, str, str]] = []
CHECK_PURPOSE = "key-check"


def register_hashed_field(model_label: str, field_name: str, *, purpose: str) -> None:
    """Tell the key rotation that this field holds keyed hashes made for `purpose`."""
    entry = (model_label, field_name, purpose)
    if entry not in HASHED_FIELDS:
        HASHED_FIELDS.append(entry)


def _link(key: str, purpose: str, message: str) -> str:
    derived = hashlib.sha256(f"{purpose}:{key}".encode()).digest()
    return hmac.new(derived, message.encode(), hashlib.sha256).hexdigest()


def keyed_hash(value: str, *, purpose: str, keys: list[str] | None = None) -> str:
    """The value's hash under the key chain (64 hex digits); `keys` defaults to the setting."""
    keys = settings.IDENTIFIER_HASH_KEYS if keys is None else keys
    if not keys:
        raise ValueError("An identifier needs at least one hash key.")
    digest = _link(keys[0], purpose, value)
    for key in keys[1:]:
        digest = _link(key, purpose, digest)
    return digest


def wrap(stored: str, *, purpose: str, key: str) -> str:
    """A stored hash with one more key at the end of its chain."""
    return _link(key, purpose, stored)


def chain_check(keys: list[str]) -> str:
    """The value that tells which chain the stored hashes are under, without revealing it."""
    return keyed_hash(CHECK_PURPOSE, purpose=CHECK_PURPOSE, keys=keys)


class KeyChainMismatch(Exception):
    """The stored hashes are not under the configured chain: rotating now would break them."""


def configured_chain_matches() -> bool | None:
    """Whether IDENTIFIER_HASH_KEYS is the chain the database's hashes are under.

    None when no rotation has run yet: nothing in the database says which chain that is.
    """
    from .models import KeyChainCheck

    check = KeyChainCheck.objects.filter(pk=KeyChainCheck.SINGLETON).first()
    if check is None:
        return None
    return hmac.compare_digest(check.value, chain_check(settings.IDENTIFIER_HASH_KEYS))


@transaction.atomic
def rotate_key(*, new_key: str, batch_size: int = 1000) -> list[str]:
    """Wrap every stored identifier hash with `new_key`; returns the chain to configure next.

    Every web process and worker must be stopped meanwhile (they would hash with the old
    chain) and started again with IDENTIFIER_HASH_KEYS set to the returned chain.
    """
    from .models import KeyChainCheck

    keys = list(settings.IDENTIFIER_HASH_KEYS)
    if not new_key or "," in new_key or new_key.strip() != new_key or new_key in keys:
        raise ValueError("The new key must be new, without commas or surrounding spaces.")
    check = KeyChainCheck.objects.select_for_update().filter(pk=KeyChainCheck.SINGLETON).first()
    if check is not None and not hmac.compare_digest(check.value, chain_check(keys)):
        raise KeyChainMismatch()
    for label, field_name, purpose in HASHED_FIELDS:
        model = apps.get_model(label)
        rows = (
            model._default_manager.select_for_update()
            .exclude(**{f"{field_name}__isnull": True})
            .exclude(**{field_name: ""})
            .order_by("pk")
            .values_list("pk", field_name)
        )
        changed = [
            model(pk=pk, **{field_name: wrap(stored, purpose=purpose, key=new_key)})
            for pk, stored in rows
        ]
        model._default_manager.bulk_update(changed, [field_name], batch_size=batch_size)
    chain = [*keys, new_key]
    KeyChainCheck.objects.update_or_create(
        pk=KeyChainCheck.SINGLETON,
        defaults={"value": chain_check(chain), "keys": len(chain), "rotated_at": timezone.now()},
    )
    return chain
