"""Use an install as its people would, in a process of its own: sign in, open a product, see
its photo, add rows. Run as ``python -m tests.toolkit.portal_probe '{"email": ...}'`` in the
install's environment; prints what it saw as JSON on its last line.
"""

import json
import os
import sys


def main(options):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from products.models import ProductImage

    seen = {"vendor": connection.vendor}
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post(
        reverse("account_login"), {"login": options["email"], "password": options["password"]}
    )
    seen["sign_in_status"] = response.status_code
    home = client.get(reverse("home"))
    user = User.objects.get(email=options["email"])
    seen["home_status"] = home.status_code
    seen["signed_in"] = home.wsgi_request.user.is_authenticated
    seen["home_names_user"] = user.full_name in home.content.decode()

    image = (
        ProductImage.objects.filter(product__enterprise__members__user=user)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    page = client.get(image.product.get_absolute_url())
    seen["product_status"] = page.status_code
    seen["page_shows_photo"] = image.thumbnail.url in page.content.decode()
    photo = client.get(image.image.url)
    seen["photo_status"] = photo.status_code
    with image.image.open("rb") as stored:
        seen["photo_bytes_match"] = b"".join(photo.streaming_content) == stored.read()

    if options.get("add_rows"):
        # New rows after the move: every sequence must be past the ids that were loaded.
        newcomer = User.objects.create_user(
            email="newcomer@example.com", password=options["password"], full_name="ผู้มาใหม่"
        )
        seen["new_user_id_above_loaded"] = newcomer.pk > options["max_user_id"]
        seen["sequences_behind"] = sequences_behind() if connection.vendor == "postgresql" else []
    print(json.dumps(seen))


def sequences_behind():
    """Tables whose id sequence would hand out an id already taken (PostgreSQL)."""
    from django.apps import apps
    from django.db import connection

    from toolkit.backups import counted_tables

    behind = []
    with connection.cursor() as cursor:
        for label, table in counted_tables().items():
            model = apps.get_model(label)
            pk = model._meta.pk
            if pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
                continue
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            sequence = cursor.fetchone()[0]
            if sequence is None:
                continue
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            last_value, is_called = cursor.fetchone()
            next_value = last_value + 1 if is_called else last_value
            cursor.execute(f'SELECT MAX("{pk.column}") FROM "{table}"')  # noqa: S608
            highest = cursor.fetchone()[0]
            if highest is not None and next_value <= highest:
                behind.append(label)
    return behind


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
