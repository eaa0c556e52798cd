"""Indexes for the officers' review queue, first come first served.

The queue sorts applications by submitted_at, id. By default it shows the two states
"to review" (submitted, under review); without an index PostgreSQL read every
application, sorted the ~42,000 of them to review and joined them to their enterprises
for each page (bench/'s 100,000 applications: Parallel Seq Scan + Sort, ~50 ms for page
1, ~80 ms with an on-disk sort for page 50). A partial index over those two states in
the queue's order is read in order and stops after the page: ~0.8 ms for page 1. An
index on (status, submitted_at, id) alone is not used for two states (a composite
index gives one order per state), but it serves a queue filtered to one state: ~51 ms
→ ~0.9 ms for "accepted". Plans in bench/README.md, "Issue 12: server time".
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("entrepreneurs", "0006_member_thai_name_order"),
        ("products", "0007_upgrade_started_idx"),
        ("programmes", "0003_thai_name_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review"])),
                fields=["submitted_at", "id"],
                name="enrolment_to_review_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                fields=["status", "submitted_at", "id"], name="enrolment_state_queue_idx"
            ),
        ),
    ]
