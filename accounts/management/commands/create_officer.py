import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts import services
from accounts.exceptions import AccountError


class Command(BaseCommand):
    help = "Create a DIPROM officer account (they set up two-factor sign-in at first login)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument("--password", help="Password; asked for interactively when not given.")

    def handle(self, *args, email, full_name, password=None, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not an email address: {email}") from error
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        try:
            user = services.create_officer(email=email, full_name=full_name, password=password)
        except AccountError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(self.style.SUCCESS(f"Officer {user.email} created."))
