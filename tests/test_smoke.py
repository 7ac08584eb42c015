import httpx

from mock_server import MockServer


def test_alice_lists_the_documentation_example_first(alice: httpx.Client) -> None:
    page = alice.get("/api/v1/notifications").json()
    assert page["notifications"][0]["id"] == "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"


def test_reset_restores_read_state(alice: httpx.Client, mock: MockServer) -> None:
    assert alice.post("/api/v1/notifications/read-all").json()["count"] == 2
    mock.reset()
    assert alice.get("/api/v1/notifications/unread-count").json() == {"count": 2}
