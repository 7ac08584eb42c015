"""Something failing inside a REST endpoint is the documented 500 ``{"detail": "Internal
Server Error"}``: nothing of the failure leaks into the body, and the mock goes on serving.

As on uvicorn and Starlette (the stack of FastAPI, and so likely of the real backend), the
traceback goes to the log and the 500's connection is closed after it; the next request comes
on a new one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import httpx
import pytest

from mock_server import MockServer
from mock_server.models import Notification
from mock_server.store import Store

READ = "/api/v1/notifications/{id}/read"


class LostDatabase(Store):
    """A store whose reads and writes raise while ``down`` is set, as a lost database would."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("the database at 10.0.0.3 went away")

    def page(
        self,
        user_id: str,
        *,
        limit: int,
        offset: int,
        unread_only: bool = False,
        dataset_id: str | None = None,
    ) -> tuple[list[Notification], int]:
        self._check()
        return super().page(
            user_id, limit=limit, offset=offset, unread_only=unread_only, dataset_id=dataset_id
        )

    def unread_count(self, user_id: str, dataset_id: str | None = None) -> int:
        self._check()
        return super().unread_count(user_id, dataset_id)

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        self._check()
        return super().mark_read(user_id, notification_id, at)

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        self._check()
        return super().mark_all_read(user_id, dataset_id, at)


@pytest.fixture
def uvicorn_errors(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], None]]:
    """Call it once the mock is up (uvicorn configures its loggers as a server starts, and
    they do not propagate): from then on their records are in ``caplog``."""
    log = logging.getLogger("uvicorn.error")
    yield lambda: log.addHandler(caplog.handler)
    log.removeHandler(caplog.handler)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/notifications"),
        ("GET", "/api/v1/notifications/unread-count"),
        ("POST", READ),
        ("POST", "/api/v1/notifications/read-all"),
    ],
)
def test_a_failing_store_is_the_documented_500_and_the_mock_goes_on(
    method: str,
    path: str,
    response_hook: Callable[[httpx.Response], None],
    caplog: pytest.LogCaptureFixture,
    uvicorn_errors: Callable[[], None],
) -> None:
    store = LostDatabase()
    with (
        MockServer(clock="manual", store=store) as mock,
        httpx.Client(
            base_url=mock.url,
            headers=mock.headers(),
            timeout=10,
            event_hooks={"response": [response_hook]},
        ) as client,
    ):
        uvicorn_errors()
        [made] = mock.inject(user="alice")
        url = path.replace("{id}", made.id)
        store.down = True
        failed = client.request(method, url, headers={"Connection": "close"})
        assert failed.status_code == 500
        assert failed.json() == {"detail": "Internal Server Error"}
        assert failed.headers["content-type"] == "application/json"
        assert "10.0.0.3" not in failed.text
        store.down = False
        assert client.request(method, url).status_code == 200
    # logged once the 500 is sent, so looked at once the mock has stopped
    [logged] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], ConnectionError)
