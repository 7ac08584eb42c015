"""The kit reads streams from raw bytes, and TCP may cut them anywhere: every framing the SSE
standard allows (LF, CRLF, CR line ends; comments; ``data:`` without a space) must give the same
events wherever the bytes are split."""

from __future__ import annotations

import pytest

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
