"""The kit reads streams from raw bytes, and TCP may cut them anywhere: every framing the SSE
standard allows (LF, CRLF, CR line ends; comments; ``data:`` without a space) must give the same
events wherever the bytes are split."""

from __future__ import annotations

import pytest

from contract_tests.checks.streams import framing_problem
from contract_tests.sse import EventParser

NOTIFICATION = '{"metadata": {"view_name": "crème glacée ☃", "is_alert": true}}'
LF = f": keepalive\nevent: ping\ndata: \n\nevent: notification\ndata: {NOTIFICATION}\n\n"
FRAMINGS = {
    "lf": LF,
    "crlf": LF.replace("\n", "\r\n"),
    "cr": LF.replace("\n", "\r"),
    "no space after the colon": LF.replace("data: ", "data:"),
}
EXPECTED = [("ping", ""), ("notification", NOTIFICATION)]


def _raw(framing: str) -> bytes:
    raw = FRAMINGS[framing].encode()
    # a CR at the end of what has arrived may be half of a CRLF, so it waits for the next byte;
    # with CR line ends that next byte is one more CR
    return raw + b"\r" if framing == "cr" else raw


def _events(*chunks: bytes) -> list[tuple[str, str]]:
    parser = EventParser()
    for chunk in chunks:
        parser.feed(chunk, 0.0)
    return [(event.event, event.data) for event in parser.events]


@pytest.mark.parametrize("framing", FRAMINGS)
def test_every_allowed_framing_gives_the_same_events(framing: str) -> None:
    assert _events(_raw(framing)) == EXPECTED


@pytest.mark.parametrize("framing", FRAMINGS)
def test_the_events_are_the_same_wherever_the_bytes_are_split(framing: str) -> None:
    raw = _raw(framing)
    for cut in range(1, len(raw)):
        assert _events(raw[:cut], raw[cut:]) == EXPECTED, f"split at byte {cut}: {raw[:cut]!r}"


def test_a_stream_fed_one_byte_at_a_time_gives_the_same_events() -> None:
    raw = _raw("crlf")
    assert _events(*(raw[i : i + 1] for i in range(len(raw)))) == EXPECTED


def test_one_leading_byte_order_mark_is_ignored() -> None:
    assert _events("\ufeff".encode() + _raw("crlf")) == EXPECTED


def _problem(raw: str) -> str | None:
    parser = EventParser()
    parser.feed((raw + "\n\n").encode(), 0.0)
    (event,) = parser.events
    return framing_problem(event)


@pytest.mark.parametrize(
    "raw",
    [
        "event: ping\ndata: ",
        "data: \nevent: ping",  # field order means nothing to SSE clients
        ": keepalive\nevent: notification\ndata: {}\nretry: 3000",
        "event: notification\ndata: {\ndata: }",
    ],
)
def test_framing_that_every_sse_client_reads_the_same_is_accepted(raw: str) -> None:
    assert _problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("data: {}", "no single `event: <name>` line"),
        ("event: ping\nevent: ping\ndata: ", "no single `event: <name>` line"),
        ("event: ping", "has no data line"),
        ("event: notification\nid: 7\ndata: {}", "a line that is not data"),
        ("event: ping\ndata: x", "a ping's data is 'x', not empty"),
    ],
)
def test_framing_the_contract_rules_out_is_named(raw: str, problem: str) -> None:
    found = _problem(raw)
    assert found is not None
    assert problem in found
