"""API throttles. Kept apart from config.api: DRF imports these while its own views
module is still loading, so this module must not import rest_framework.views.

Both count in fixed windows (a counter per person or address and per window of the
rate's period), with one atomic increment per request. DRF's own throttles keep a list
of every request's time and read, rewrite and store it on each request: the cost grows
with the rate, and two workers writing at once lose each other's entries."""

import functools
import logging

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from config.connections import redis_client

log = logging.getLogger(__name__)


def count_in_window(key: str, seconds: int) -> tuple[int, float]:
    """Add one to the counter `key`, whose window opens at its first count and lasts
    `seconds`; return the new count and the seconds left in the window."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One command: count, open the window on the first count, read what is left.
        client = redis_client(settings.CACHES["default"]["LOCATION"])
        count, left = _window_script(client)(
            keys=[backend.make_and_validate_key(key)], args=[seconds]
        )
        return int(count), float(max(left, 1))
    backend.add(key, 0, seconds)  # elsewhere (development): no time left to read
    return backend.incr(key), float(seconds)


WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


@functools.cache
def _window_script(client: redis.Redis):
    return client.register_script(WINDOW_SCRIPT)


class WindowThrottle(SimpleRateThrottle):
    """At most `num_requests` in a window of `duration` seconds that opens with the
    first request. A burst may straddle two windows (up to twice the rate over one
    period): the price of one increment per request."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self.seconds_left = count_in_window(self.key, self.duration)
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window closes (Retry-After)."""
        return self.seconds_left


class SignInThrottle(WindowThrottle):
    """Sign-in attempts per client address."""

    scope = "signin"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError as exc:
            # While Redis is down people can still sign in (passwords are still checked;
            # only the attempt counting pauses) rather than nobody at all.
            log.warning("throttle cache unavailable, sign-in let through: %s", exc)
            return True


class WriteThrottle(WindowThrottle, UserRateThrottle):
    """Writes per person (UserRateThrottle's key); reads are not throttled."""

    scope = "writes"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        try:
            return super().allow_request(request, view)
        except redis.RedisError as exc:
            # Redis is the cache and the broker: while it is down, writes go on (their
            # notifications wait in the outbox) unthrottled rather than fail.
            log.warning("throttle cache unavailable, write let through: %s", exc)
            return True
