"""Django's Redis cache, read as empty while Redis cannot be reached.

Nothing the portal keeps in the cache is the only copy of anything: rate-limit counters,
derived pages, counts and figures are all remade from the database. So when the cache's
Redis is down (often the broker's server too), a request goes on as if the cache were
empty and writes nothing to it, rather than answering 500, perhaps after its data was
saved. Reads return the default, writes are dropped, `add` reports success (allauth's rate
limiter locks with it, and would otherwise wait out its lock timeout on every request),
deletes report nothing deleted. A lost write can leave a derived entry stale for as long
as it was cached (toolkit.pagination.COUNT_SECONDS at most). An outage is logged once a
minute, not once per call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _unreachable(operation, error):
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning(
            "The cache's Redis cannot be reached (%s: %s); going on without it.", operation, error
        )


class TolerantRedisCache(RedisCache):
    def _guarded(self, fallback, method, *args):
        """method(*args), or `fallback` while Redis cannot be reached."""
        try:
            return method(*args)
        except UNREACHABLE as error:
            _unreachable(method.__name__, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._guarded(None, super().delete_many, keys, version)
