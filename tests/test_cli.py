"""The command line: ``python -m mock_server`` and the ``vl-notifications-mock`` script.

Each server is a real subprocess on a free port; the tests read its stdout up to the end of
the banner (no sleeping), use it over HTTP, then stop it with SIGTERM or SIGINT.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from httpx_sse import EventSource

from mock_server.cli import main

ROOT = Path(__file__).resolve().parent.parent
LIST = "/api/v1/notifications"
STREAM = "/api/v1/notifications/stream"
SCRIPT = shutil.which("vl-notifications-mock", path=str(Path(sys.executable).parent))
Hook = Callable[[httpx.Response], None]


@dataclass
class Running:
    process: subprocess.Popen[str]
    banner: list[str]
    url: str
    client: httpx.Client

    def curl(self) -> list[str]:
        """The banner's first curl line, split as a shell would."""
        line = next(x for x in self.banner if x.strip().startswith("curl -H"))
        return shlex.split(line)

    def stop(self, sig: signal.Signals) -> tuple[int, str]:
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@contextmanager
def running(command: list[str], hook: Hook) -> Iterator[Running]:
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner: list[str] = []
        last = "Fresh tokens:" if "--no-control" not in command else "  curl -H"
        for line in process.stdout:
            banner.append(line.rstrip("\n"))
            if line.startswith(last):
                break
        else:
            _, err = process.communicate(timeout=30)
            pytest.fail(f"the mock ended before its banner was out: {err}")
        match = re.search(r" on (http://\S+)", banner[0])
        assert match, banner[0]
        with httpx.Client(
            base_url=match.group(1), timeout=10, event_hooks={"response": [hook]}
        ) as c:
            yield Running(process, banner, match.group(1), c)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)


@pytest.fixture
def start(response_hook: Hook) -> Iterator[Callable[..., Running]]:
    """``start(*args, script=False)``: the mock's CLI on a free port, up to its banner."""
    with ExitStack() as stack:

        def run(*args: str, script: bool = False) -> Running:
            if script:
                assert SCRIPT is not None, "the console script is not installed"
                command = [SCRIPT]
            else:
                command = [sys.executable, "-m", "mock_server"]
            return stack.enter_context(running([*command, "--port", "0", *args], response_hook))

        yield run


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_banner_gives_url_credentials_and_a_curl_line_that_works(
    start: Callable[..., Running],
) -> None:
    mock = start()
    text = "\n".join(mock.banner)
    assert mock.url.startswith("http://127.0.0.1:")
    assert "clock: real" in text
    for fixture_value in (
        "api_key=vl_key_alice_4f1c2b7e",
        "api_secret=vl_secret_alice_0d2e9a6c5b8f4731a9e2c3d4f5a6b7c8",
        "SESSION=sess_bob_2c8e4a6f1d3b5a7c",
    ):
        assert fixture_value in text
    words = mock.curl()
    assert words[:2] == ["curl", "-H"]
    assert words[2].startswith("Authorization: Bearer ")
    name, _, value = words[2].partition(": ")
    response = mock.client.get(words[3], headers={name: value})
    assert response.status_code == 200
    assert response.json()["notifications"][0]["id"] == "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"
    assert mock.stop(signal.SIGTERM)[0] == 0


def test_options_shape_the_running_mock(start: Callable[..., Running]) -> None:
    mock = start(
        "--host",
        "127.0.0.1",
        "--clock",
        "manual",
        "--seed",
        "5",
        "--notifications",
        "40",
        "--ping-interval",
        "1",
        "--poll-interval",
        "2",
        "--cors-origin",
        "http://a.example",
        "--cors-origin",
        "http://b.example:8080",
        "--control-token",
        "T0ken",
        "--log-level",
        "warning",
    )
    control = {"X-Mock-Token": "T0ken"}
    c = mock.client
    assert c.get("/_mock/health").status_code == 403
    health = c.get("/_mock/health", headers=control).json()
    assert health["notifications"] == 45
    assert health["clock"]["mode"] == "manual"
    token = c.get("/_mock/users", headers=control).json()[0]["token"]
    for origin in ("http://a.example", "http://b.example:8080"):
        cors = c.get(LIST, headers={**bearer(token), "Origin": origin})
        assert cors.headers["access-control-allow-origin"] == origin
    local = c.get(LIST, headers={**bearer(token), "Origin": "http://localhost:3000"})
    assert "access-control-allow-origin" not in local.headers
    with c.stream("GET", STREAM, headers=bearer(token)) as stream:
        c.post("/_mock/notifications", json={"user": "alice"}, headers=control)
        c.post("/_mock/clock/advance", json={"seconds": 2}, headers=control)
        c.delete("/_mock/streams", headers=control)
        kinds = [e.event for e in EventSource(stream).iter_sse()]
    assert kinds == ["ping", "notification", "ping"]  # pings at 1 and 2 s, the poll at 2 s
    code, err = mock.stop(signal.SIGTERM)
    assert code == 0
    assert "INFO" not in err  # --log-level warning
    assert "Traceback" not in err


def test_the_console_script_runs_without_a_control_plane_on_given_fixtures(
    start: Callable[..., Running], tmp_path: Path
) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", fixtures)
    with (fixtures / "users.yaml").open("a", encoding="utf-8") as users:
        users.write(
            "- name: carol\n"
            "  user_id: 0c0c0c0c-0000-4000-8000-00000000ca01\n"
            "  api_key: vl_key_carol\n"
            "  api_secret: vl_secret_carol_0123456789abcdef0123456789\n"
            "  session: sess_carol\n"
        )
    mock = start("--no-control", "--fixtures", str(fixtures), script=True)
    text = "\n".join(mock.banner)
    assert "carol: api_key=vl_key_carol" in text
    assert "/_mock" not in text
    # not validated: without a control plane, control-openapi.yaml does not apply
    gone = httpx.get(f"{mock.url}/_mock/health", timeout=10)
    assert (gone.status_code, gone.json()) == (404, {"detail": "Not Found"})
    words = mock.curl()
    assert mock.client.get(words[3], headers=dict([words[2].split(": ", 1)])).status_code == 200
    assert mock.stop(signal.SIGINT)[0] == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_open_streams_cleanly_and_exits_zero(
    start: Callable[..., Running], sig: signal.Signals
) -> None:
    mock = start("--clock", "manual")
    token = mock.client.get("/_mock/users").json()[0]["token"]
    with mock.client.stream("GET", STREAM, headers=bearer(token)) as stream:
        mock.client.post("/_mock/clock/advance", json={"seconds": 3})
        assert mock.client.get("/_mock/streams").json() == {"open": 1}
        mock.process.send_signal(sig)
        # the stream ends (a clean end of the chunked body, no protocol error)
        assert [e.event for e in EventSource(stream).iter_sse()] == ["ping"]
    _, err = mock.process.communicate(timeout=30)
    assert mock.process.returncode == 0
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


def test_a_port_in_use_is_one_sentence_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mock_server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stdout == ""
    assert (
        done.stderr
        == f"vl-notifications-mock: cannot listen on 127.0.0.1:{port}: the port is in use\n"
    )


def test_a_bad_option_is_an_argparse_message_and_exit_2_from_the_real_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "--clock", "sometimes"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "usage: vl-notifications-mock" in done.stderr
    assert "argument --clock: invalid choice: 'sometimes'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "http"], "argument --port: 'http' is not a port number"),
        (["--port", "70000"], "argument --port: '70000': a port is from 0 to 65535"),
        (["--notifications", "-3"], "argument --notifications: '-3': must be 0 or more"),
        (["--notifications", "many"], "argument --notifications: 'many' is not a whole number"),
        (["--ping-interval", "0"], "argument --ping-interval: '0': must be more than 0"),
        (["--poll-interval", "soon"], "argument --poll-interval: 'soon' is not a number"),
        (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (["--verbose"], "unrecognized arguments: --verbose"),
    ],
)
def test_bad_options_are_refused_with_a_readable_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--seed",
        "--notifications",
        "--fixtures",
        "--clock",
        "--ping-interval",
        "--poll-interval",
        "--cors-origin",
        "--no-control",
        "--control-token",
        "--log-level",
    ):
        assert option in out, option


def test_a_bad_spec_file_is_one_sentence_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["--spec", str(missing), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(missing) in err
    (tmp_path / "bad.yaml").write_text(json.dumps({"openapi": "3.1.0"}), encoding="utf-8")
    assert main(["--spec", str(tmp_path / "bad.yaml"), "--port", "0"]) == 2
    assert "has no 'paths'" in capsys.readouterr().err
    assert gc.isenabled()  # the start state is built with the collector off: it is back on
