import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from toolkit.identifiers import KeyChainMismatch, rotate_key


class Command(BaseCommand):
    help = (
        "Add a new key to the chain that hashes tax IDs and other identifiers, and wrap every "
        "stored hash with it. Stop the web processes and workers first; run it with "
        "IDENTIFIER_HASH_KEYS set to the current chain and the new key in "
        "NEW_IDENTIFIER_HASH_KEY (one is generated when it is unset); then start everything "
        "with IDENTIFIER_HASH_KEYS set to the chain it prints."
    )

    def handle(self, *args, **options):
        # From the environment, not the command line, which other users can see in `ps`.
        new_key = os.environ.get("NEW_IDENTIFIER_HASH_KEY") or secrets.token_urlsafe(48)
        try:
            chain = rotate_key(new_key=new_key)
        except KeyChainMismatch as error:
            raise CommandError(
                "The stored hashes are not under the chain in IDENTIFIER_HASH_KEYS (was this "
                "rotation already run?). Set IDENTIFIER_HASH_KEYS to the chain the last "
                "rotation printed, then run it again. Nothing was changed."
            ) from error
        except ValueError as error:
            raise CommandError(f"{error} Nothing was changed.") from error
        self.stdout.write(self.style.SUCCESS("Every stored identifier hash now uses the new key."))
        self.stdout.write(
            "Start the web processes and workers with this setting (keep it secret; "
            "the old keys must stay in it, in this order):"
        )
        self.stdout.write(f"IDENTIFIER_HASH_KEYS={','.join(chain)}")
