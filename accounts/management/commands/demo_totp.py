import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_USERS, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are only available with DEBUG on.")
        if email not in {e for e, _name, _role in DEMO_USERS}:
            raise CommandError(f"{email} is not a demo account.")
        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(demo_totp_secret(email), counter)))
