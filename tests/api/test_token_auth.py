"""`Authorization: Token <key>` (accounts.authentication): the person behind a valid
token, 401 for a wrong key or an inactive person, in one query."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

API = "/api/v1"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_valid_token_signs_its_person_in(world):
    token = Token.objects.create(user=world.member_a)

    answer = with_token(token.key).get(f"{API}/me/")

    assert answer.status_code == 200
    assert answer.json()["username"] == world.member_a.username


def test_a_wrong_key_is_a_401(world):
    Token.objects.create(user=world.member_a)

    answer = with_token("0" * 40).get(f"{API}/me/")

    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."


def test_an_inactive_persons_token_is_a_401(world):
    token = Token.objects.create(user=world.member_a)
    world.member_a.is_active = False
    world.member_a.save(update_fields=["is_active"])

    answer = with_token(token.key).get(f"{API}/me/")

    assert answer.status_code == 401
    assert answer.json()["detail"] == "User inactive or deleted."


def test_the_token_and_its_person_are_read_in_one_query(world, django_assert_num_queries):
    token = Token.objects.create(user=world.member_a)
    client = with_token(token.key)

    # The token with its person, then the three queries of /me/ (roles by session).
    with django_assert_num_queries(4):
        assert client.get(f"{API}/me/").status_code == 200
