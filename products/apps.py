from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Products")

    def ready(self):
        from notifications.targets import fetch_targets_with

        from .models import Certification, UpgradeRecord

        # The expiry notice's subject names the standard and the product.
        fetch_targets_with(lambda: Certification.objects.select_related("standard", "product"))
        # The upgrade notice's summary line names the product.
        fetch_targets_with(lambda: UpgradeRecord.objects.select_related("product"))
