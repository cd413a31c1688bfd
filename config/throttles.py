"""API throttles. Kept apart from config.api: DRF imports these while its own views
module is still loading, so this module must not import rest_framework.views."""

import logging

import redis
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

log = logging.getLogger(__name__)


class SignInThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address."""

    scope = "signin"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

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


class WriteThrottle(UserRateThrottle):
    """Writes per person; reads are not throttled."""

    scope = "writes"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

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
