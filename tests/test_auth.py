"""Authentication: HS256 JWTs minted by the client, the SESSION cookie, and every way to fail.

Every failure is 401 with ``{"detail": "<string>"}`` (the hook validates it against the spec).
Expiry is judged by the mock's manual clock, which these tests move.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import httpx
import jwt
import pytest

from mock_server import MockServer

LIST = "/api/v1/notifications"


def mint(
    mock: MockServer,
    user: str = "alice",
    *,
    claims: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    headers: dict[str, Any] | None = None,
    secret: str | None = None,
    algorithm: str = "HS256",
) -> str:
    """A token as the documentation's client builds it, with the given changes."""
    who = mock.user(user)
    now = int(mock.clock.now())
    payload: dict[str, Any] = {"sub": who.api_key, "iat": now, "exp": now + 600, "iss": "sdk"}
    payload.update(claims or {})
    for key in drop:
        payload.pop(key)
    header = {"kid": who.api_key, **(headers or {})}
    key = who.api_secret if secret is None else secret
    with warnings.catch_warnings():  # HS512 wants a longer key than the fixtures' secrets
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return jwt.encode(payload, key, algorithm=algorithm, headers=header)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def crafted(mock: MockServer, alg: str, signature: bytes) -> str:
    """A token with any ``alg`` header, for algorithms PyJWT cannot sign here."""
    who = mock.user("alice")
    now = int(mock.clock.now())
    header = {"alg": alg, "typ": "JWT", "kid": who.api_key}
    payload = {"sub": who.api_key, "iat": now, "exp": now + 600}
    return ".".join(
        [
            _b64(json.dumps(header).encode()),
            _b64(json.dumps(payload).encode()),
            _b64(signature),
        ]
    )


def get(client: httpx.Client, authorization: str | None = None, **kw: Any) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return client.get(LIST, headers=headers, **kw)


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert isinstance(response.json()["detail"], str)
    assert response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_minted_from_key_and_secret_is_accepted(
    client: httpx.Client, mock: MockServer
) -> None:
    assert get(client, f"Bearer {mint(mock)}").status_code == 200


def test_the_bearer_scheme_is_case_insensitive(client: httpx.Client, mock: MockServer) -> None:
    assert get(client, f"bearer {mint(mock)}").status_code == 200
    assert get(client, f"BEARER {mint(mock)}").status_code == 200


def test_no_credentials_is_401(client: httpx.Client) -> None:
    assert_401(get(client))


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Token abc", "Basic YWxpY2U6c2VjcmV0", "JWT x.y.z", "abc"],
)
def test_a_malformed_authorization_header_is_401(client: httpx.Client, authorization: str) -> None:
    assert_401(get(client, authorization))


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30", "%%%.%%%.%%%"]
)
def test_a_garbage_token_is_401(client: httpx.Client, token: str) -> None:
    assert_401(get(client, f"Bearer {token}"))


def test_a_non_bearer_scheme_with_a_valid_token_is_401(
    client: httpx.Client, mock: MockServer
) -> None:
    assert_401(get(client, f"Basic {mint(mock)}"))


def test_an_unsigned_alg_none_token_is_401(client: httpx.Client, mock: MockServer) -> None:
    token = mint(mock, algorithm="none", secret="")
    assert token.endswith(".")
    assert_401(get(client, f"Bearer {token}"))


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_with_the_right_secret_are_401(
    client: httpx.Client, mock: MockServer, algorithm: str
) -> None:
    assert_401(get(client, f"Bearer {mint(mock, algorithm=algorithm)}"))


@pytest.mark.parametrize("alg", ["RS256", "ES256", "none", "NONE", "hs256", ""])
def test_other_algorithm_headers_are_401(client: httpx.Client, mock: MockServer, alg: str) -> None:
    assert_401(get(client, f"Bearer {crafted(mock, alg, bytes(range(256)))}"))


def test_an_unknown_key_id_is_401(client: httpx.Client, mock: MockServer) -> None:
    assert_401(get(client, f"Bearer {mint(mock, headers={'kid': 'vl_key_mallory'})}"))


def test_a_token_without_a_key_id_is_401(client: httpx.Client, mock: MockServer) -> None:
    who = mock.user("alice")
    now = int(mock.clock.now())
    token = jwt.encode(
        {"sub": who.api_key, "iat": now, "exp": now + 600}, who.api_secret, algorithm="HS256"
    )
    assert_401(get(client, f"Bearer {token}"))


def test_a_token_signed_with_another_secret_is_401(client: httpx.Client, mock: MockServer) -> None:
    assert_401(get(client, f"Bearer {mint(mock, secret='not-alices-secret' * 3)}"))
    bobs_secret = mock.user("bob").api_secret
    assert_401(get(client, f"Bearer {mint(mock, secret=bobs_secret)}"))


def test_a_tampered_payload_is_401(client: httpx.Client, mock: MockServer) -> None:
    header, _, signature = mint(mock).split(".")
    bob = mock.user("bob")
    now = int(mock.clock.now())
    payload = _b64(json.dumps({"sub": bob.api_key, "iat": now, "exp": now + 600}).encode())
    assert_401(get(client, f"Bearer {header}.{payload}.{signature}"))


def test_a_token_without_exp_is_401(client: httpx.Client, mock: MockServer) -> None:
    assert_401(get(client, f"Bearer {mint(mock, drop=('exp',))}"))


@pytest.mark.parametrize("exp", ["tomorrow", None, True, [1]])
def test_a_token_whose_exp_is_not_a_number_is_401(
    client: httpx.Client, mock: MockServer, exp: Any
) -> None:
    assert_401(get(client, f"Bearer {mint(mock, claims={'exp': exp})}"))


def test_a_token_without_sub_is_401(client: httpx.Client, mock: MockServer) -> None:
    assert_401(get(client, f"Bearer {mint(mock, drop=('sub',))}"))


def test_a_sub_other_than_the_key_is_401(client: httpx.Client, mock: MockServer) -> None:
    bob_key = mock.user("bob").api_key
    assert_401(get(client, f"Bearer {mint(mock, claims={'sub': bob_key})}"))


def test_a_token_is_valid_until_its_exp_and_expired_one_second_later(
    client: httpx.Client, mock: MockServer
) -> None:
    exp = int(mock.clock.now()) + 10
    token = mint(mock, claims={"exp": exp})
    mock.clock.advance(exp - mock.clock.now() - 0.001)
    assert get(client, f"Bearer {token}").status_code == 200
    mock.clock.advance(1.001)  # now == exp + 1
    assert_401(get(client, f"Bearer {token}"))


def test_a_token_expires_exactly_at_exp_without_leeway(
    client: httpx.Client, mock: MockServer
) -> None:
    exp = int(mock.clock.now()) + 10
    token = mint(mock, claims={"exp": exp})
    mock.clock.set(float(exp))
    assert_401(get(client, f"Bearer {token}"))


def test_a_token_expired_before_it_was_ever_used_is_401(
    client: httpx.Client, mock: MockServer
) -> None:
    token = mint(mock, claims={"exp": int(mock.clock.now()) - 1})
    assert_401(get(client, f"Bearer {token}"))


def test_a_cached_token_still_expires_when_the_clock_moves(
    client: httpx.Client, mock: MockServer
) -> None:
    token = mint(mock, claims={"exp": int(mock.clock.now()) + 5})
    for _ in range(3):  # verified once, then served from the cache
        assert get(client, f"Bearer {token}").status_code == 200
    client.post("/_mock/clock/advance", json={"seconds": 6})
    assert_401(get(client, f"Bearer {token}"))
    assert_401(get(client, f"Bearer {token}"))


def test_a_token_with_iat_in_the_future_of_the_mock_clock_is_accepted(
    client: httpx.Client, mock: MockServer
) -> None:
    # clients mint with their own clock; the mock judges only exp
    now = int(mock.clock.now())
    token = mint(mock, claims={"iat": now + 3600, "exp": now + 7200})
    assert get(client, f"Bearer {token}").status_code == 200


def test_the_session_cookie_authenticates(client: httpx.Client, mock: MockServer) -> None:
    client.cookies.set("SESSION", mock.user("bob").session)
    response = client.get(LIST)
    assert response.status_code == 200
    owners = {n["user_id"] for n in response.json()["notifications"]}
    assert owners == {mock.user("bob").user_id}


def test_an_unknown_session_cookie_is_401(client: httpx.Client) -> None:
    client.cookies.set("SESSION", "sess_nobody")
    assert_401(client.get(LIST))


def test_the_session_cookie_is_found_among_other_cookies_and_cookie_headers(
    client: httpx.Client, mock: MockServer
) -> None:
    session = mock.user("bob").session
    one_header = client.get(LIST, headers={"Cookie": f"theme=dark; SESSION={session}; x=1"})
    assert one_header.status_code == 200
    two_headers = client.get(
        LIST, headers=[("Cookie", "theme=dark"), ("Cookie", f"SESSION={session}")]
    )
    assert two_headers.status_code == 200
    owners = {n["user_id"] for n in two_headers.json()["notifications"]}
    assert owners == {mock.user("bob").user_id}
    assert_401(client.get(LIST, headers={"Cookie": f"theme=dark; session={session}"}))


def test_an_authorization_header_decides_over_a_valid_cookie(
    client: httpx.Client, mock: MockServer
) -> None:
    client.cookies.set("SESSION", mock.user("alice").session)
    assert client.get(LIST).status_code == 200
    assert_401(client.get(LIST, headers={"Authorization": "Bearer garbage"}))
    as_bob = client.get(LIST, headers={"Authorization": f"Bearer {mint(mock, 'bob')}"})
    assert {n["user_id"] for n in as_bob.json()["notifications"]} == {mock.user("bob").user_id}


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", LIST, {"limit": "0"}),
        ("GET", "/api/v1/notifications/unread-count", {"dataset_id": "x"}),
        ("POST", "/api/v1/notifications/not-a-uuid/read", {}),
        ("POST", "/api/v1/notifications/read-all", {"dataset_id": "x"}),
        ("GET", "/api/v1/notifications/stream", {"dataset_id": "x"}),
    ],
)
def test_401_wins_over_422(
    client: httpx.Client,
    mock: MockServer,
    method: str,
    path: str,
    params: dict[str, str],
) -> None:
    assert_401(client.request(method, path, params=params))
    bad_token = {"Authorization": f"Bearer {mint(mock, secret='wrong' * 10)}"}
    assert_401(client.request(method, path, params=params, headers=bad_token))
    good = {"Authorization": f"Bearer {mint(mock)}"}
    assert client.request(method, path, params=params, headers=good).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", LIST),
        ("GET", "/api/v1/notifications/unread-count"),
        ("POST", "/api/v1/notifications/e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57/read"),
        ("POST", "/api/v1/notifications/read-all"),
        ("GET", "/api/v1/notifications/stream"),
    ],
)
def test_every_operation_requires_authentication(
    client: httpx.Client, method: str, path: str
) -> None:
    assert_401(client.request(method, path))
    assert client.get("/api/v1/notifications/unread-count", headers={}).status_code == 401
