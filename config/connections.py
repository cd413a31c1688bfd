"""One Redis client per URL and process, built once: a redis.Redis is cheap to use but
not to build (its reply table), and the busiest paths (throttles, the outbox kick) ask
for one on every request."""

import functools

import redis


@functools.cache
def redis_client(url: str) -> redis.Redis:
    # Fail fast when Redis is down: callers let the request through and log it.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
