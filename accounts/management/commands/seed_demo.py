import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create the demo data set (idempotent, DEBUG only). Each app adds its part in "
        "<app>/demo.py."
    )

    def handle(self, *args, **options):
        # The demo accounts have a published password and TOTP secrets derived from the
        # source: on a real installation they would be open doors, officers among them.
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: its officer and staff accounts have a "
                "published password and two-factor secrets anyone can derive."
            )
        # Apps are visited in INSTALLED_APPS order, which is their dependency order, so
        # a later app's demo data may use what an earlier one created.
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout, style=self.style)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
