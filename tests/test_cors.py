"""CORS with credentials, as the documentation's EventSource(url, {withCredentials: true}) needs:
the allowed origin is echoed (never ``*``), credentials are allowed, preflights are answered,
and any other origin gets no CORS header at all."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_server import MockServer

AppClientFactory = Callable[..., httpx.Client]
LIST = "/api/v1/notifications"
STREAM = "/api/v1/notifications/stream"


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def preflight(
    client: httpx.Client, origin: str, path: str = LIST, method: str = "GET"
) -> httpx.Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization",
        },
    )


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "http://localhost:3000",
        "http://localhost",
        "http://127.0.0.1:8080",
        "http://127.0.0.1",
    ],
)
def test_a_local_origin_is_echoed_with_credentials_by_default(
    client: httpx.Client, mock: MockServer, origin: str
) -> None:
    response = client.get(LIST, headers={**mock.headers("alice"), "Origin": origin})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


def test_a_preflight_from_a_local_origin_is_answered(client: httpx.Client) -> None:
    origin = "http://localhost:5173"
    response = preflight(client, origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    for method in ("POST", "DELETE"):
        assert preflight(client, origin, "/_mock/faults", method).status_code == 200


def test_errors_carry_cors_headers_so_the_page_can_read_them(client: httpx.Client) -> None:
    origin = "http://localhost:5173"
    response = client.get(LIST, headers={"Origin": origin})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == origin


def test_the_stream_answers_a_credentialed_cross_origin_request(
    client: httpx.Client, mock: MockServer
) -> None:
    origin = "http://127.0.0.1:5500"
    client.cookies.set("SESSION", mock.user("alice").session)
    with client.stream("GET", STREAM, headers={"Origin": origin}) as response:
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-credentials"] == "true"
        assert client.delete("/_mock/streams").json() == {"closed": 1}


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://evil.example/http://localhost",
        "null",
    ],
)
def test_a_foreign_origin_gets_no_cors_headers(
    client: httpx.Client, mock: MockServer, origin: str
) -> None:
    response = client.get(LIST, headers={**mock.headers("alice"), "Origin": origin})
    assert response.status_code == 200
    assert cors_headers(response) == {}
    refused = preflight(client, origin)
    assert cors_headers(refused) == {}
    assert refused.status_code == 405
    assert refused.json() == {"detail": "Method Not Allowed"}


def test_configured_origins_replace_the_local_default(app_client: AppClientFactory) -> None:
    client = app_client(cors_origins=("https://app.example.com", "http://qa.example:9000"))
    for origin in ("https://app.example.com", "http://qa.example:9000"):
        response = client.get(LIST, headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        assert preflight(client, origin).headers["access-control-allow-origin"] == origin
    assert cors_headers(client.get(LIST, headers={"Origin": "http://localhost:5173"})) == {}


def test_a_star_origin_echoes_any_origin_and_never_answers_star(
    app_client: AppClientFactory,
) -> None:
    client = app_client(cors_origins=("*",))
    for origin in ("http://evil.example", "https://anything.example:1"):
        response = client.get(LIST, headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-credentials"] == "true"


def test_no_origin_no_cors_headers(client: httpx.Client, mock: MockServer) -> None:
    assert cors_headers(client.get(LIST, headers=mock.headers("alice"))) == {}


@pytest.mark.parametrize(
    "path", [LIST, "/api/v1/notifications/unread-count", "/api/v1/nowhere", "/_mock/health"]
)
def test_an_answer_without_origin_still_varies_on_origin_once(
    client: httpx.Client, mock: MockServer, path: str
) -> None:
    # a cache must not hand this answer (no CORS headers) to a cross-origin page
    response = client.get(path, headers=mock.headers("alice"))
    assert response.headers.get_list("vary") == ["Origin"]
