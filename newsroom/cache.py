"""A Redis cache that degrades to "always a miss" when Redis is unreachable.

Django's RedisCache raises on every connection error, which would turn a cache outage into a site
outage. This backend logs the failure (at most once every ``LOG_EVERY`` seconds, so an outage does not
flood the log) and answers as an empty cache would: reads miss, writes are dropped. Pages are then
built from the database on every request until Redis returns, and nothing else changes.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("newsroom.cache")

LOG_EVERY = 30.0


def _tolerant(fallback):
    """Run the cache operation; on a Redis error log it and answer ``fallback(*args)`` as an empty cache would."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self._failed(method.__name__, error)
                return fallback(error, *args, **kwargs)

        return wrapper

    return decorate


def _miss(error, *args, **kwargs):
    return False


def _default(error, key, default=None, *args, **kwargs):
    return default


def _nothing(error, *args, **kwargs):
    return None


def _no_keys(error, *args, **kwargs):
    return {}


def _all_failed(error, data, *args, **kwargs):
    return list(data)


def _not_found(error, key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (cache unavailable).") from error


class TolerantRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, operation, error):
        now = time.monotonic()
        if now - TolerantRedisCache._last_logged >= LOG_EVERY:
            TolerantRedisCache._last_logged = now
            logger.error("Cache unavailable (%s failed: %s); serving uncached.", operation, error)

    # Each operation answers as an empty cache would when Redis fails.
    add = _tolerant(_miss)(RedisCache.add)
    get = _tolerant(_default)(RedisCache.get)
    set = _tolerant(_nothing)(RedisCache.set)
    touch = _tolerant(_miss)(RedisCache.touch)
    delete = _tolerant(_miss)(RedisCache.delete)
    get_many = _tolerant(_no_keys)(RedisCache.get_many)
    has_key = _tolerant(_miss)(RedisCache.has_key)
    incr = _tolerant(_not_found)(RedisCache.incr)
    set_many = _tolerant(_all_failed)(RedisCache.set_many)
    delete_many = _tolerant(_nothing)(RedisCache.delete_many)
    clear = _tolerant(_miss)(RedisCache.clear)
