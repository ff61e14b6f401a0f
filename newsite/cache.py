"""A Redis cache that degrades instead of failing when Redis is down.

Everything the cache holds can be rebuilt (pages, rate-limit counters, session copies backed
by the database), so a lost Redis means slower pages, never errors. Each failure is logged.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


def _fail_soft(name: str, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            # Imported here: redis-py takes 80 ms to import, which `migrate` and other commands
            # that never touch the cache would pay (system checks build every cache backend).
            from redis.exceptions import RedisError

            if not isinstance(error, RedisError):
                raise
            logger.warning("cache %s failed, continuing without the cache: %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = name
    return wrapper


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django makes a redis.Redis per command, and building one costs more than a round trip
    (a few hundred response callbacks). A client is safe to share: keep one per pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if pool not in clients:
            clients[pool] = self._client(connection_pool=pool)
        return clients[pool]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    get = _fail_soft("get", lambda key, default=None, version=None: default)
    get_many = _fail_soft("get_many", {})
    set = _fail_soft("set", None)
    set_many = _fail_soft("set_many", lambda data, *args, **kwargs: list(data))
    add = _fail_soft("add", False)
    touch = _fail_soft("touch", False)
    delete = _fail_soft("delete", False)
    delete_many = _fail_soft("delete_many", None)
    has_key = _fail_soft("has_key", False)
    clear = _fail_soft("clear", None)
    # Counters (rate limits) fail open: a missing Redis must not lock every reader out.
    incr = _fail_soft("incr", lambda key, delta=1, version=None: delta)
    decr = _fail_soft("decr", lambda key, delta=1, version=None: -delta)
