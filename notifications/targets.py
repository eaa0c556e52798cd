"""How the inbox fetches the records notifications are about.

The inbox renders each item's subject line from its target; a subject that reads the
target's relations (a certification's standard and product) would query once per item.
An app whose notification subjects read relations registers a QuerySet that fetches
them, in its AppConfig.ready(); the inbox prefetches every target with it, in bulk.
"""

_querysets = []


def fetch_targets_with(make_queryset):
    """Register a callable returning the QuerySet to fetch one model's targets with."""
    _querysets.append(make_queryset)


def target_querysets():
    return [make_queryset() for make_queryset in _querysets]
