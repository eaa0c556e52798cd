from django.core.management.base import BaseCommand
from django.db.models import Q

from products.images import card_images
from products.models import ProductImage


class Command(BaseCommand):
    help = (
        "Make the showcase cards' WebP crops for product photos kept without them (photos "
        "uploaded before the crops existed). Safe to run again: it skips photos that have "
        "them, unless --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="remake every photo's crops")
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, all=False, batch=200, **options):
        photos = ProductImage.objects.order_by("pk")
        if not all:
            photos = photos.filter(Q(card="") | Q(card_2x=""))
        made = missing = 0
        last = 0
        while True:
            # Batches by primary key: the rows change as they are done.
            chunk = list(photos.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            for photo in chunk:
                last = photo.pk
                try:
                    with photo.image.open("rb") as source:
                        cards = card_images(source)
                except OSError:
                    missing += 1
                    continue
                old = [(field.storage, field.name) for field in (photo.card, photo.card_2x)]
                photo.set_card_images(cards)
                photo.save(update_fields=["card", "card_2x"])
                for storage, name in old:
                    if name:
                        storage.delete(name)
                made += 1
        self.stdout.write(f"Made card images for {made} photos; {missing} photo files missing.")
