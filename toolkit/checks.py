"""System checks of the shared machinery."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.database)
def identifier_keys_match_the_database(app_configs, databases=None, **kwargs):
    """IDENTIFIER_HASH_KEYS must be the chain the stored hashes are under (run by migrate)."""
    from .identifiers import configured_chain_matches

    if not databases or "default" not in databases:
        return []
    try:
        matches = configured_chain_matches()
    except DatabaseError:  # before the first migrate
        return []
    if matches is False:
        return [
            Error(
                "IDENTIFIER_HASH_KEYS is not the key chain the stored tax-ID hashes are under, "
                "so duplicate tax IDs would go unnoticed.",
                hint="Set it to the chain the last `manage.py rotate_identifier_key` printed.",
                id="toolkit.E001",
            )
        ]
    return []
