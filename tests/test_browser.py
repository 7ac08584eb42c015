"""The documentation's JavaScript ``EventSource`` example, run verbatim in headless Chromium.

The page is served from another origin than the mock (``http://localhost:<page port>`` and
``http://localhost:<mock port>``: same site, different origin), so the browser makes a
credentialed cross-origin request, as a frontend served by a dev server does. The ``SESSION``
cookie is set first through ``GET /_mock/login?user=alice`` on the mock. Then a notification is
injected through the control plane, the manual clock is advanced past the stream's poll, and the
example's ``console.log`` lines appear. Waiting is Playwright's own event waiting, bounded; no
sleeps.

Playwright drives Debian's ``chromium`` package (``playwright install`` cannot download here);
where ``/usr/bin/chromium`` is missing the tests are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000  # every wait on the browser is bounded by this

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium); "
    "playwright install cannot download browsers here",
)

# "Real-Time Notification Stream (SSE)" > "JavaScript Example", copied verbatim
DOC_EXAMPLE = """\
const eventSource = new EventSource(
  "https://app.visual-layer.com/api/v1/notifications/stream",
  { withCredentials: true }
);

eventSource.addEventListener("notification", (event) => {
  const notification = JSON.parse(event.data);
  console.log(`Alert: ${notification.metadata.view_name}`);
  console.log(`  ${notification.metadata.result_count} new matches`);
  console.log(`  Dataset: ${notification.metadata.dataset_name}`);
});

eventSource.addEventListener("ping", () => {
  // Connection is alive — no action needed
});

eventSource.addEventListener("error", (event) => {
  console.error("SSE error:", event);
});
"""


def page_with_example(base_url: str) -> bytes:
    literal = '"https://app.visual-layer.com/api/v1/notifications/stream"'
    assert DOC_EXAMPLE.count(literal) == 1
    script = DOC_EXAMPLE.replace(literal, f'"{base_url}/api/v1/notifications/stream"')
    html = (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>alerts</title></head>\n'
        f"<body><script>\n{script}</script></body></html>\n"
    )
    return html.encode("utf-8")


class PageServer:
    """A tiny web server on its own port, serving one page at ``/`` (404 elsewhere)."""

    def __init__(self) -> None:
        self.page = b""
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == "/"
                body = server.page if found else b"not found"
                self.send_response(200 if found else 404)
                self.send_header(
                    "Content-Type", "text/html; charset=utf-8" if found else "text/plain"
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self._httpd.server_address[1]}/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture(scope="module")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def localhost_url(mock: MockServer) -> str:
    return f"http://localhost:{urlsplit(mock.url).port}"


class Page:
    """A fresh browser context and page, recording its console and the mock's responses."""

    def __init__(self, browser: Any, mock_origin: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.console: list[tuple[str, str]] = []
        self.responses: list[tuple[str, str, int, str, bytes | None]] = []
        self._mock_origin = mock_origin
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.context.on("response", self._record)

    def _record(self, response: Any) -> None:
        # a body must be read before the page navigates away; a stream's never ends
        if not response.url.startswith(self._mock_origin):
            return
        from playwright.sync_api import Error

        content_type = response.headers.get("content-type", "")
        body = None
        if not content_type.startswith("text/event-stream"):
            # a failed EventSource's 401 may be discarded at once: then only its status and
            # content type are checked
            with contextlib.suppress(Error):
                body = response.body()
        self.responses.append(
            (response.request.method, response.url, response.status, content_type, body)
        )

    def logs(self) -> list[str]:
        return [text for kind, text in self.console if kind == "log"]

    def open_example(self, page_server: PageServer) -> Any:
        """Load the example page; returns once the stream's response headers have arrived."""
        with self.page.expect_response(lambda r: "/notifications/stream" in r.url) as stream:
            self.page.goto(page_server.url)
        return stream.value

    def validate(self, api: SpecValidator, control: SpecValidator) -> None:
        """Every response the mock sent this page, checked against its spec."""
        for method, url, status, content_type, body in self.responses:
            path = urlsplit(url).path
            spec = control if path.startswith("/_mock") else api
            template = spec.template_for(path)
            if template is None or method.lower() not in spec.document["paths"][template]:
                continue  # the browser's own /favicon.ico
            if body is None:
                spec.response_schema_pointer(method, path, status, content_type)
            else:
                spec.validate_response(method, path, status, content_type, body)
        assert self.responses, "the page got no response from the mock"


@pytest.fixture
def browser_page(
    browser: Any, mock: MockServer, api_spec: SpecValidator, control_spec: SpecValidator
) -> Iterator[Page]:
    page = Page(browser, localhost_url(mock))
    try:
        yield page
        page.validate(api_spec, control_spec)
    finally:
        page.context.close()


def test_the_documentations_eventsource_example_logs_an_injected_alert(
    browser_page: Page,
    page_server: PageServer,
    mock: MockServer,
    client: httpx.Client,
) -> None:
    mock_origin = localhost_url(mock)
    page_server.page = page_with_example(mock_origin)
    assert urlsplit(page_server.url).port != urlsplit(mock_origin).port  # another origin

    login = browser_page.page.goto(f"{mock_origin}/_mock/login?user=alice")
    assert login.status == 200
    [cookie] = browser_page.context.cookies()
    assert (cookie["name"], cookie["sameSite"], cookie["httpOnly"]) == ("SESSION", "Lax", True)

    stream = browser_page.open_example(page_server)
    assert stream.status == 200
    assert stream.headers["access-control-allow-origin"] == page_server.url.rstrip("/")
    assert stream.headers["access-control-allow-credentials"] == "true"

    client.post(
        "/_mock/notifications",
        json={
            "user": "alice",
            "dataset_id": "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac",
            "metadata": {"view_name": "icecream", "result_count": 12},
        },
    )
    with browser_page.page.expect_console_message(
        lambda m: m.text.startswith("  Dataset:"), timeout=WAIT_MS
    ):
        client.post("/_mock/clock/advance", json={"seconds": 3})

    assert browser_page.logs() == ["Alert: icecream", "  12 new matches", "  Dataset: Ice cream"]
    assert not [text for kind, text in browser_page.console if text.startswith("SSE error")]


def test_without_the_session_cookie_the_example_logs_an_sse_error(
    browser_page: Page, page_server: PageServer, mock: MockServer, client: httpx.Client
) -> None:
    page_server.page = page_with_example(localhost_url(mock))
    with browser_page.page.expect_console_message(
        lambda m: m.type == "error" and m.text.startswith("SSE error:"), timeout=WAIT_MS
    ):
        stream = browser_page.open_example(page_server)
    assert stream.status == 401
    client.post("/_mock/notifications", json={"user": "alice"})
    client.post("/_mock/clock/advance", json={"seconds": 3})
    assert browser_page.logs() == []
    assert client.get("/_mock/streams").json() == {"open": 0}


def test_from_an_origin_the_mock_does_not_allow_the_example_logs_an_sse_error(
    browser: Any, page_server: PageServer, api_spec: SpecValidator, control_spec: SpecValidator
) -> None:
    with MockServer(clock="manual", cors_origins=("http://localhost:1",)) as strict:
        origin = localhost_url(strict)
        page = Page(browser, origin)
        try:
            page_server.page = page_with_example(origin)
            page.page.goto(f"{origin}/_mock/login?user=alice")
            with page.page.expect_console_message(
                lambda m: m.type == "error" and m.text.startswith("SSE error:"), timeout=WAIT_MS
            ):
                page.page.goto(page_server.url)
            assert any("CORS policy" in text for kind, text in page.console if kind == "error")
            strict.inject(user="alice")
            strict.clock.advance(3)
            assert page.logs() == []
            page.validate(api_spec, control_spec)
        finally:
            page.context.close()
