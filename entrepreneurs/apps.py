from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntrepreneursConfig(AppConfig):
    name = "entrepreneurs"
    verbose_name = _("Entrepreneurs")

    def ready(self):
        from toolkit.identifiers import register_hashed_field

        register_hashed_field("entrepreneurs.Enterprise", "tax_id_hash", purpose="tax-id")
