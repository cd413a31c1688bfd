from tests.api.conftest import client_for  # noqa: F401 (the API tests' fixture, shared)
