# The audit log moved to toolkit; its table and rows stay where they are.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_privacy_notice_v1")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        )
    ]
