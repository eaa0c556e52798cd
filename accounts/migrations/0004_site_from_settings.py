# The Sites record names the portal and SITE_URL's host instead of "example.com".
# accounts.apps sets it again after every migrate, so a later change of SITE_URL lands too.
from django.db import migrations

from accounts.sites import sync_site


def name_the_site(apps, schema_editor):
    sync_site(site_model=apps.get_model("sites", "Site"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_auditentry_moved_to_toolkit"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
