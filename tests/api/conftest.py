import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache (Redis under `make test`): start each test at 0.
    cache.clear()


@pytest.fixture
def client_for():
    """client_for(user) -> an APIClient signed in as `user` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
