"""Paginators for long lists: the page's rows read by id, counts cached until data changes.

IdsFirstPaginator reads a page in two steps: the primary keys of the page in the list's
order (with the filters and sort, but none of the joins and per-row sub-queries the page
shows), then the rows of those keys with everything else. PostgreSQL has to step over
every row before a deep page's OFFSET; done on ids alone, from an index where there is
one, page 500 of a list costs little more than page 1, and a per-row sub-query (an
enterprise's number of products) runs for the page's 25 rows instead of 12,525.

A paginator counts every row its list matches on each request: at national volume the
public showcase's COUNT(*) joins 75,000 published products to their enterprises, which
costs more than the page of 24 cards it heads. CachedCountPaginator keeps each count in
the cache under the SQL it runs and the current *generation* of the data it reads. The
services that change that data call `data_changed(name)` inside their transaction; once
it commits the generation gets a new value, so every count cached before is never read
again and the next request counts afresh. COUNT_SECONDS bounds how long a change made
outside the services (the admin, a bulk load) can leave a count behind. cached_count()
does the same for a count that heads no list (the landing page's figures).

CachedPagesPaginator goes one step further for a deep page of such a list: the OFFSET
itself steps over every row before the page (at page 500 of the showcase, 12,000 products
joined to their enterprises to keep the verified ones), which no index avoids while the
filter lies in another table. Past `deep_rows` rows it reads the page's ids once, caches
them under the same SQL and generation as the count, and then reads the rows of those
ids; the first pages, which most requests ask for, are read directly as before.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

COUNT_SECONDS = 15 * 60


def derived_cache():
    """The cache of what is derived from the data: counts, page ids, pages, figures.

    settings.DERIVED_CACHE, apart from the default cache, whose rate-limit counters the
    entries any visitor can multiply (a new search, a new filter) must never cull.
    """
    return caches[settings.DERIVED_CACHE]


def _generation_key(name):
    return f"counts:generation:{name}"


def generation(name):
    """The current generation of the data called `name`: changes whenever it changes."""
    key = _generation_key(name)
    value = derived_cache().get(key)
    if value is None:
        derived_cache().add(key, uuid.uuid4().hex, None)
        value = derived_cache().get(key)
    if value is None:
        # The cache refused the write (on SQLite a read request may find it locked): a
        # generation of this request alone, so nothing cached without one is ever read.
        value = uuid.uuid4().hex
    return value


def data_changed(name):
    """Start a new generation of `name` once the current transaction commits.

    A fresh random value rather than an increment: a generation that dropped out of the
    cache can never come back with a value an old count was cached under.
    """
    transaction.on_commit(
        lambda: derived_cache().set(_generation_key(name), uuid.uuid4().hex, None),
        # The data is saved: a cache that fails here must not fail the request, nor skip
        # the commit hooks after this one (the outbox's, the reports').
        robust=True,
    )


def counted_at(queryset, *, depends_on):
    """(queryset.count(), when it was counted), cached under its SQL until `depends_on` changes."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter Django knows matches nothing (pk__in=[])
        return 0, timezone.now()
    text = f"{depends_on}\n{generation(depends_on)}\n{sql}\n{params!r}"
    key = "counts:at:" + hashlib.sha256(text.encode()).hexdigest()
    value = derived_cache().get(key)
    if value is None:
        value = (queryset.count(), timezone.now())
        derived_cache().set(key, value, COUNT_SECONDS)
    return value


def cached_count(queryset, *, depends_on):
    """queryset.count(), cached under its SQL until the data `depends_on` changes."""
    return counted_at(queryset, depends_on=depends_on)[0]


class IdsFirstPaginator(Paginator):
    """A Paginator of a QuerySet that reads a page's ids first, then those rows."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().filter(pk__in=ids) if ids else []
        by_id = {row.pk: row for row in rows}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


class CachedCountPaginator(Paginator):
    """A Paginator whose count is cached until the data named `depends_on` changes."""

    def __init__(self, object_list, per_page, *, depends_on, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.depends_on = depends_on

    @cached_property
    def _count_and_time(self):
        return counted_at(self.object_list, depends_on=self.depends_on)

    @cached_property
    def count(self):
        return self._count_and_time[0]

    @cached_property
    def counted_at(self):
        """When the count was taken: the page may show it, since it can be minutes old."""
        return self._count_and_time[1]


class CachedPagesPaginator(CachedCountPaginator):
    """A CachedCountPaginator whose deep pages' ids are cached too, until the data changes."""

    def __init__(self, object_list, per_page, *, depends_on, deep_rows=1000, **kwargs):
        super().__init__(object_list, per_page, depends_on=depends_on, **kwargs)
        self.deep_rows = deep_rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.deep_rows:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids_list = self.object_list.values_list("pk", flat=True)[bottom:top]
        try:
            sql, params = ids_list.query.sql_with_params()
        except EmptyResultSet:  # a filter Django knows matches nothing (pk__in=[])
            return self._get_page([], number, self)
        generation_now = generation(self.depends_on)
        text = f"{self.depends_on}\n{generation_now}\n{sql}\n{params!r}"
        key = "pages:" + hashlib.sha256(text.encode()).hexdigest()
        ids = derived_cache().get(key)
        if ids is None:
            ids = list(ids_list)
            derived_cache().set(key, ids, COUNT_SECONDS)
        rows = self.object_list.order_by().filter(pk__in=ids) if ids else []
        by_id = {row.pk: row for row in rows}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
