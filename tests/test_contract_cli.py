"""The contract kit's plumbing, run in process against the bundled mock: option errors and
pre-flight failures are one sentence and exit 2, the report (table, JSON, JUnit) says what each
clause did and shows the exchange that broke a failing one, --read-only / --token / no second
user skip what they must, and a silent server never hangs the run.

Which clause catches which contract violation is proved elsewhere, against broken variants of
the mock; here a single deliberately broken mock shows what a failure looks like.
"""

from __future__ import annotations

import ast
import json
import re
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests import main
from contract_tests.clauses import CLAUSE_IDS, CLAUSES
from mock_server import MockServer

ALICE_KEY = "vl_key_alice_4f1c2b7e"
ALICE_SECRET = "vl_secret_alice_0d2e9a6c5b8f4731a9e2c3d4f5a6b7c8"
BOB_KEY = "vl_key_bob_9a3d5e1f"
BOB_SECRET = "vl_secret_bob_6c1a8e3f2d9b4a57c0e1f2a3b4c5d6e7"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(clock="manual") as server:
        yield server


def _args(url: str, *extra: str, b: bool = True) -> list[str]:
    args = ["--base-url", url, "--api-key", ALICE_KEY, "--api-secret", ALICE_SECRET]
    if b:
        args += ["--api-key-b", BOB_KEY, "--api-secret-b", BOB_SECRET]
    return [*args, *extra]


def _run(tmp_path: Path, args: list[str]) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main([*args, "--json-report", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def _by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["clauses"]}


def _one_sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- a whole run ---------------------------------------------------------------------------


def test_the_bundled_mock_passes_every_clause_and_the_run_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code, report = _run(tmp_path, ["--junitxml", str(tmp_path / "junit.xml")])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert code == 0, out
    assert [c["id"] for c in report["clauses"]] == list(CLAUSE_IDS)
    statuses = {c["id"]: c["status"] for c in report["clauses"]}
    assert statuses == dict.fromkeys(CLAUSE_IDS, "passed"), out
    assert report["summary"] == {"passed": len(CLAUSE_IDS), "failed": 0, "skipped": 0}
    assert report["base_url"].startswith("http://127.0.0.1:")
    for clause in CLAUSES.values():  # the table: every clause, its verdict
        assert f"{clause.id:<26}  passed" in out
    assert f"{len(CLAUSE_IDS)} passed, 0 failed, 0 skipped" in out
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(CLAUSE_IDS))
    assert suite.get("failures") == "0"
    names = [case.get("name", "") for case in suite.iter("testcase")]
    assert [n.split(":")[0] for n in names] == list(CLAUSE_IDS)
    assert elapsed < 60


def test_the_kit_can_run_twice_in_one_process_with_the_same_verdicts(
    mock: MockServer, tmp_path: Path
) -> None:
    picked = ["--clause", "LIST-ORDER", "--clause", "READ-AGAIN-404", "--clause", "AUTH-EXPIRED"]
    first = _run(tmp_path, _args(mock.url, *picked))
    second = _run(tmp_path, _args(mock.url, *picked))
    assert first == second
    code, report = first
    assert code == 0
    clauses = _by_id(report)
    assert {i for i, c in clauses.items() if c["status"] == "passed"} == {
        "LIST-ORDER",
        "READ-AGAIN-404",
        "AUTH-EXPIRED",
    }
    assert clauses["LIST-SHAPE"] == {
        **clauses["LIST-SHAPE"],
        "status": "skipped",
        "reason": "not selected (--clause)",
    }


# -- options and pre-flight ----------------------------------------------------------------


def test_list_clauses_prints_every_id_with_its_doc_sentence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--list-clauses"]) == 0
    out = capsys.readouterr().out
    for clause in CLAUSES.values():
        assert clause.id in out
        assert clause.doc in out
    assert "READ-AGAIN-404 [mark]" in out


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (["--base-url", "ftp://example.com", "--token", "t"], "--base-url needs an http://"),
        (["--base-url", "http://127.0.0.1:9"], "--base-url needs --api-key and --api-secret"),
        (
            ["--base-url", "http://x", "--token", "t", "--api-key", "k"],
            "--api-key and --api-secret go together",
        ),
        (
            ["--base-url", "http://x", "--token", "t", "--api-key-b", "k"],
            "--api-key-b and --api-secret-b go together",
        ),
        (["--api-key", "k", "--api-secret", "s"], "credentials need --base-url"),
        (["--sse-timeout", "0"], "--sse-timeout must be more than 0"),
        (["--sse-timeout", "soon"], "--sse-timeout needs a number"),
        (["--max-examples", "1.5"], "--max-examples needs a whole number"),
        (["--clause", "LIST-EVERYTHING"], "unknown clause 'LIST-EVERYTHING'"),
        (["--junitxml", "/no/such/folder/c.xml"], "--junitxml: the folder '/no/such/folder'"),
        (["--base-urll", "http://x"], "unrecognized arguments: --base-urll"),
    ],
)
def test_a_bad_command_line_is_one_sentence_and_exit_2(
    argv: list[str], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    line = _one_sentence(captured.err)
    assert line.startswith("contract_tests: ")
    assert sentence in line
    assert captured.out == ""


def test_an_unreachable_url_is_one_sentence_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    assert main(_args(url)) == 2
    line = _one_sentence(capsys.readouterr().err)
    assert line == f"contract_tests: could not reach {url}: connection refused"


def test_a_server_that_never_answers_ends_the_run_within_the_http_timeout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        assert main(_args(url, "--http-timeout", "0.5")) == 2
        assert time.monotonic() - started < 5
    line = _one_sentence(capsys.readouterr().err)
    assert line == f"contract_tests: could not reach {url}: no answer within the timeout"


def test_a_rejected_secret_is_could_not_authenticate_and_exit_2(
    mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--base-url", mock.url, "--api-key", ALICE_KEY, "--api-secret", "wrong"]
    assert main(argv) == 2
    line = _one_sentence(capsys.readouterr().err)
    assert line == (
        f"contract_tests: could not authenticate: 401 from {mock.url}"
        f"/api/v1/notifications/unread-count for api key {ALICE_KEY}"
    )


def test_a_rejected_second_user_and_a_rejected_token_are_named(
    mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*_args(mock.url, b=False), "--api-key-b", BOB_KEY, "--api-secret-b", "nope"]
    assert main(argv) == 2
    assert _one_sentence(capsys.readouterr().err).endswith(f"for api key {BOB_KEY}")
    assert main(["--base-url", mock.url, "--token", "not.a.token"]) == 2
    assert _one_sentence(capsys.readouterr().err).endswith("for the given token")


# -- what gets skipped, and why ------------------------------------------------------------


def test_read_only_skips_every_clause_that_marks_and_says_so(
    mock: MockServer, tmp_path: Path
) -> None:
    marking = [c.id for c in CLAUSES.values() if c.marks and c.id != "SCHEMA-REST"]
    picked = [arg for cid in [*marking, "LIST-ORDER"] for arg in ("--clause", cid)]
    code, report = _run(tmp_path, _args(mock.url, "--read-only", *picked))
    assert code == 0
    clauses = _by_id(report)
    for cid in marking:
        assert clauses[cid]["status"] == "skipped"
        assert clauses[cid]["reason"] == "marks notifications read (--read-only)"
    assert clauses["LIST-ORDER"]["status"] == "passed"


def test_read_only_schemathesis_leaves_every_notification_unread(
    mock: MockServer, tmp_path: Path
) -> None:
    mock.reset()
    before = mock.store.count_for(mock.user("alice").user_id)
    code, report = _run(
        tmp_path, _args(mock.url, "--read-only", "--clause", "SCHEMA-REST", "--max-examples", "5")
    )
    assert code == 0
    assert _by_id(report)["SCHEMA-REST"]["status"] == "passed"
    # the kit reset the mock first; the fixture data's unread ones are all still unread
    assert mock.store.count_for(mock.user("alice").user_id) == before


def test_a_token_alone_skips_the_minting_clauses_and_no_second_user_skips_isolation(
    mock: MockServer, tmp_path: Path
) -> None:
    minting = [c.id for c in CLAUSES.values() if c.needs_mint]
    isolation = [c.id for c in CLAUSES.values() if c.needs_b]
    others = ["AUTH-MISSING", "READ-AGAIN-404", "STREAM-NOTIFICATION-EVENT"]  # these inject data
    picked = [arg for cid in [*minting, *isolation, *others] for arg in ("--clause", cid)]
    token = mock.token("alice")
    code, report = _run(tmp_path, ["--base-url", mock.url, "--token", token, *picked])
    assert code == 0
    clauses = _by_id(report)
    for cid in minting:
        assert clauses[cid]["status"] == "skipped"
        assert "only --token was given" in clauses[cid]["reason"]
    for cid in isolation:
        assert clauses[cid]["status"] == "skipped"
        assert "needs a second user" in clauses[cid]["reason"]
    for cid in others:
        assert clauses[cid]["status"] == "passed", clauses[cid]


# -- a failure, in every report ------------------------------------------------------------


class CountPlusOne:
    """A broken mock: the unread count is one more than the unread notifications."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def rewrite(self, count: int) -> Any:
        return count + 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/api/v1/notifications/unread-count":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}

        async def patched(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body = json.loads(message.get("body", b"{}"))
            if isinstance(body.get("count"), int):
                body["count"] = self.rewrite(body["count"])
            data = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send(
                {**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]}
            )
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, patched)


class CountAsString(CountPlusOne):
    """A broken mock: the unread count is a string (a schema violation)."""

    def rewrite(self, count: int) -> Any:
        return str(count)


@pytest.fixture
def broken_mock() -> Iterator[MockServer]:
    server = MockServer(clock="manual")
    server.app = CountPlusOne(server.app)  # type: ignore[assignment]
    with server:
        yield server


def test_a_failing_clause_shows_its_request_response_and_curl_and_exits_1(
    broken_mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit = tmp_path / "junit.xml"
    argv = _args(
        broken_mock.url,
        "--clause",
        "COUNT-MATCHES-UNREAD-TOTAL",
        "--clause",
        "LIST-ORDER",
        "--junitxml",
        str(junit),
    )
    code, report = _run(tmp_path, argv)
    out = capsys.readouterr().out
    assert code == 1
    clause = _by_id(report)["COUNT-MATCHES-UNREAD-TOTAL"]
    assert clause["status"] == "failed"
    assert "unread-count is" in clause["reason"]
    assert "unread_only=true total is" in clause["reason"]
    assert clause["repro"].startswith("curl ")
    assert f"{broken_mock.url}/api/v1/notifications" in clause["repro"]
    assert "Authorization: Bearer " in clause["repro"]
    assert _by_id(report)["LIST-ORDER"]["status"] == "passed"
    assert report["summary"] == {"passed": 1, "failed": 1, "skipped": len(CLAUSE_IDS) - 2}
    # the table: the verdict on the clause's line, then the failure in full
    assert "COUNT-MATCHES-UNREAD-TOTAL  FAILED" in out
    assert "== COUNT-MATCHES-UNREAD-TOTAL failed" in out
    assert "request:  GET " in out
    assert "response: 200 application/json" in out
    assert "curl:     curl " in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name", "").split(":")[0] for c in failed] == ["COUNT-MATCHES-UNREAD-TOTAL"]
    text = failed[0].find("failure")
    assert text is not None
    assert "curl " in (text.text or "")


def test_a_schemathesis_failure_is_reported_with_its_check_and_a_curl_line_with_the_token(
    tmp_path: Path,
) -> None:
    server = MockServer(clock="manual")
    server.app = CountAsString(server.app)  # type: ignore[assignment]
    with server:
        url = server.url
        code, report = _run(tmp_path, _args(url, "--clause", "SCHEMA-REST", "--max-examples", "5"))
    assert code == 1
    clause = _by_id(report)["SCHEMA-REST"]
    assert clause["status"] == "failed"
    assert clause["reason"].startswith("GET /api/v1/notifications/unread-count (positive): ")
    assert "Response violates schema" in clause["reason"]
    assert clause["repro"].startswith("curl ")
    assert "Authorization: Bearer ey" in clause["repro"]
    assert clause["repro"].endswith(f"{url}/api/v1/notifications/unread-count")


def test_a_stream_that_never_pings_fails_the_cadence_within_the_sse_timeout(
    tmp_path: Path,
) -> None:
    # no control plane: the kit must use real time, and a silent stream must not hang it
    with MockServer(control=False, ping_interval=600.0, poll_interval=600.0) as silent:
        started = time.monotonic()
        code, report = _run(
            tmp_path,
            _args(
                silent.url,
                "--sse-timeout",
                "4.5",
                "--clause",
                "STREAM-PING-CADENCE",
                "--clause",
                "STREAM-CONTENT-TYPE",
            ),
        )
        elapsed = time.monotonic() - started
    assert code == 1
    clauses = _by_id(report)
    assert clauses["STREAM-CONTENT-TYPE"]["status"] == "passed"
    assert clauses["STREAM-PING-CADENCE"]["status"] == "failed"
    assert "without an event" in clauses["STREAM-PING-CADENCE"]["reason"]
    assert elapsed < 10


def test_without_a_control_plane_a_clause_with_no_data_is_skipped_never_passed(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "fixtures"
    empty.mkdir()
    source = Path(__file__).resolve().parent.parent / "fixtures"
    for name in ("users.yaml", "datasets.yaml"):
        (empty / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (empty / "notifications.yaml").write_text("[]\n", encoding="utf-8")
    with MockServer(control=False, fixtures_dir=empty) as bare:
        code, report = _run(
            tmp_path,
            _args(
                bare.url,
                "--clause",
                "READ-AGAIN-404",
                "--clause",
                "LIST-ORDER",
                "--clause",
                "ISOLATION-READ",
            ),
        )
    assert code == 0
    clauses = _by_id(report)
    assert clauses["READ-AGAIN-404"]["status"] == "skipped"
    assert "needs 1 unread notification(s) of user a" in clauses["READ-AGAIN-404"]["reason"]
    assert clauses["ISOLATION-READ"]["status"] == "skipped"
    assert clauses["LIST-ORDER"]["status"] == "skipped"


# -- the kit's own layering ----------------------------------------------------------------


def _kit_layers() -> dict[str, int]:
    text = (Path(__file__).resolve().parent.parent / "ARCHITECTURE.md").read_text("utf-8")
    block = re.search(r"<!-- layers:contract_tests -->\s*```\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md lost its contract_tests layers block"
    return {
        module: i
        for i, line in enumerate(block.group(1).strip().splitlines())
        for module in line.partition(":")[2].split()
    }


def test_the_kit_imports_only_from_its_layer_and_the_layers_above() -> None:
    layers = _kit_layers()
    package = Path(__file__).resolve().parent.parent / "contract_tests"
    assert {p.stem for p in package.glob("*.py")} == set(layers)
    for module, layer in layers.items():
        tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "contract_tests."
            ):
                name = (node.module or "").split(".")[1]
                if name == "checks":
                    continue
                assert layers[name] <= layer, f"{module} imports {name} from a lower layer"
