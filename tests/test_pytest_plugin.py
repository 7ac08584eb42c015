"""The pytest plugin, tested the way respx and pytest-httpserver test theirs: each test writes a
small test suite that uses the fixtures and runs it with ``pytester``, in this process.

The plugin is loaded in those inner runs exactly as in a user's project: by pytest itself,
through the installed package's ``pytest11`` entry point (no ``-p``, no ``pytest_plugins``).
"""

from __future__ import annotations

import importlib.metadata

import pytest

import mock_server.pytest_plugin

pytest_plugins = ["pytester"]

FIXTURES = ("vlmock_config", "vlmock_session", "vlmock", "vlmock_clock", "vlmock_token")


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """``pytester`` with plugin autoloading on, whatever the environment says."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    return pytester


def test_the_package_declares_the_plugin_as_a_pytest11_entry_point() -> None:
    [entry] = [
        e
        for e in importlib.metadata.entry_points(group="pytest11")
        if e.name == "vl_notifications_mock"
    ]
    assert entry.value == "mock_server.pytest_plugin"
    assert entry.dist is not None
    assert entry.dist.name == "vl-notifications-mock"
    assert entry.load() is mock_server.pytest_plugin


def test_pytest_loads_the_plugin_through_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import mock_server.pytest_plugin as plugin

        def test_loaded(pytestconfig):
            manager = pytestconfig.pluginmanager
            assert manager.get_plugin("vl_notifications_mock") is plugin
            loaded_from = [d.project_name for p, d in manager.list_plugin_distinfo() if p is plugin]
            assert loaded_from == ["vl-notifications-mock"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_without_the_plugin_its_fixtures_do_not_exist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_needs_the_mock(vlmock):\n    pass\n")
    result = pytester.runpytest("-p", "no:vl_notifications_mock")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'vlmock' not found*"])


def test_the_fixtures_give_a_mock_a_manual_clock_a_token_and_a_client(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import httpx
        import jwt
        from mock_server import MockServer

        def test_fixtures(vlmock, vlmock_clock, vlmock_token, vlmock_client):
            assert isinstance(vlmock, MockServer)
            assert vlmock_clock is vlmock.clock and vlmock_clock.mode == "manual"
            claims = jwt.decode(vlmock_token, options={"verify_signature": False})
            assert claims["sub"] == vlmock.users["alice"].api_key
            assert str(vlmock_client.base_url).rstrip("/") == vlmock.url
            listed = vlmock_client.get("/api/v1/notifications").json()["notifications"]
            assert {n["user_id"] for n in listed} == {vlmock.users["alice"].user_id}
            before = vlmock_client.get("/_mock/clock").json()["now"]
            vlmock_clock.advance(3600)
            after = vlmock_client.get("/_mock/clock").json()["now"]
            assert after == vlmock_clock.now_iso() and after > before

        def test_a_notification_reaches_an_open_stream(vlmock, vlmock_clock, vlmock_client):
            with vlmock_client.stream("GET", "/api/v1/notifications/stream") as stream:
                vlmock.inject(user="alice", metadata={"view_name": "icecream"})
                vlmock_clock.advance(3)  # returns once the poll and the ping are written
                vlmock_client.delete("/_mock/streams")
                body = stream.read().decode()
            assert body.startswith("event: notification\\ndata: {")
            assert '"view_name":"icecream"' in body
            assert body.endswith("event: ping\\ndata: \\n\\n")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


SUITE_THAT_CHANGES_STATE = """
DOC_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"
SEEN = {}

def test_one_changes_everything(vlmock, vlmock_client):
    SEEN["url"] = vlmock.url
    SEEN["count"] = vlmock_client.get("/api/v1/notifications/unread-count").json()["count"]
    assert vlmock_client.post(f"/api/v1/notifications/{DOC_ID}/read").status_code == 200
    vlmock.inject(user="alice")
    vlmock_client.post("/_mock/faults", json={"status": 503, "count": 100, "path": "/api/v1/x"})
    vlmock.clock.advance(60)
    SEEN["now"] = vlmock.clock.now()

def test_two_sees_the_start_state_on_the_same_server(vlmock, vlmock_client):
    assert vlmock.url == SEEN["url"]  # one server for the session
    assert vlmock_client.get("/api/v1/notifications/unread-count").json()["count"] == SEEN["count"]
    assert vlmock_client.post(f"/api/v1/notifications/{DOC_ID}/read").status_code == 200
    assert vlmock_client.get("/_mock/faults").json() == {"faults": []}
    assert vlmock.clock.now() == SEEN["now"]  # the clock keeps its time
"""


def test_each_test_gets_the_session_mock_reset_to_its_start_state(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(SUITE_THAT_CHANGES_STATE)
    pytester.runpytest().assert_outcomes(passed=2)


def test_without_the_per_test_reset_the_first_tests_changes_leak(
    pytester: pytest.Pytester,
) -> None:
    # the check above can fail: a conftest that skips the reset makes the second test fail
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def vlmock(vlmock_session):
            return vlmock_session
        """
    )
    pytester.makepyfile(SUITE_THAT_CHANGES_STATE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_two_sees_the_start_state_on_the_same_server*"])


def test_vlmock_config_overridden_in_a_conftest_shapes_the_session_mock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest
        from mock_server import MockConfig

        @pytest.fixture(scope="session")
        def vlmock_config():
            return MockConfig(clock="manual", seed=3, notifications=7, ping_interval=1.0)
        """
    )
    pytester.makepyfile(
        """
        def test_configured(vlmock, vlmock_client):
            assert (vlmock.config.seed, vlmock.config.ping_interval) == (3, 1.0)
            assert vlmock_client.get("/_mock/health").json()["notifications"] == 5 + 7
            with vlmock_client.stream("GET", "/api/v1/notifications/stream") as stream:
                vlmock.clock.advance(2)
                vlmock_client.delete("/_mock/streams")
                assert stream.read() == b"event: ping\\ndata: \\n\\n" * 2
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_vlmock_token_overridden_in_a_conftest_authenticates_the_client(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def vlmock_token(vlmock):
            return vlmock.token("bob")
        """
    )
    pytester.makepyfile(
        """
        def test_as_bob(vlmock, vlmock_client):
            listed = vlmock_client.get("/api/v1/notifications").json()["notifications"]
            assert listed
            assert {n["user_id"] for n in listed} == {vlmock.users["bob"].user_id}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_vlmock_clock_and_client_can_be_extended_in_a_conftest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import math
        import pytest

        @pytest.fixture
        def vlmock_clock(vlmock_clock):
            vlmock_clock.set(math.ceil(vlmock_clock.now() / 60) * 60)  # on a whole minute
            return vlmock_clock

        @pytest.fixture
        def vlmock_client(vlmock_client, vlmock_clock):
            vlmock_client.headers["X-Test"] = "1"
            return vlmock_client
        """
    )
    pytester.makepyfile(
        """
        def test_extended(vlmock_clock, vlmock_client):
            assert vlmock_clock.now_iso().endswith(":00.000000")
            assert vlmock_client.headers["X-Test"] == "1"
            assert vlmock_client.get("/api/v1/notifications/unread-count").status_code == 200
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_every_fixture_is_listed_with_its_docstring(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    text = result.stdout.str()
    for name in (*FIXTURES, "vlmock_client"):
        fixture = getattr(mock_server.pytest_plugin, name)
        assert f"{name} " in text or f"{name}\n" in text, name
        summary = (fixture.__doc__ or "").strip().splitlines()
        assert summary, f"{name} has no docstring"
        assert summary[0] in text
