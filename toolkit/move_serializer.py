"""dumpdata's format for moving an install to another database ("move-jsonl").

JSON lines, as Django's "jsonl", but with --natural-foreign only references to content
types and permissions are written by natural key (app and model): the new database's
``migrate`` creates those rows afresh under other ids. Every other row keeps its id, so a
reference to it is its id. Django's own --natural-foreign names users by email too, which
costs a query for every row that points to a user, on dump and on load again: hours at
national volume. Loaded with Django's jsonl reader, which takes ids and natural keys alike.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers import jsonl

BY_NATURAL_KEY = (ContentType, Permission)


class Serializer(jsonl.Serializer):
    def _by_natural_key(self, field):
        return self.use_natural_foreign_keys and issubclass(
            field.remote_field.model, BY_NATURAL_KEY
        )

    def handle_fk_field(self, obj, field):
        if self._by_natural_key(field):
            super().handle_fk_field(obj, field)
        else:
            self._current[field.name] = self._value_from_field(obj, field)

    def handle_m2m_field(self, obj, field):
        natural = self.use_natural_foreign_keys
        self.use_natural_foreign_keys = self._by_natural_key(field)
        try:
            super().handle_m2m_field(obj, field)
        finally:
            self.use_natural_foreign_keys = natural


Deserializer = jsonl.Deserializer
