"""Server-Sent Events framing, byte for byte: ``encode_event`` is a pure function."""

from __future__ import annotations

import pytest

from mock_server.sse import PING, encode_event


def test_the_ping_is_an_event_with_one_empty_data_line() -> None:
    assert PING == b"event: ping\ndata: \n\n"
    assert encode_event("ping") == PING


def test_single_line_data_is_one_data_line() -> None:
    assert encode_event("notification", '{"id":"1"}') == (
        b'event: notification\ndata: {"id":"1"}\n\n'
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_each_line_of_multi_line_data_gets_its_own_data_line(newline: str) -> None:
    data = newline.join(["first", "second", "", "fourth"])
    assert encode_event("message", data) == (
        b"event: message\ndata: first\ndata: second\ndata: \ndata: fourth\n\n"
    )


def test_trailing_line_break_in_data_survives_as_an_empty_data_line() -> None:
    # a client joins data lines with "\n": "a\n" comes back as "a\n"
    assert encode_event("e", "a\n") == b"event: e\ndata: a\ndata: \n\n"


def test_retry_is_written_before_the_data() -> None:
    assert encode_event("error", "x", retry=5000) == b"event: error\nretry: 5000\ndata: x\n\n"


def test_data_is_utf8_encoded() -> None:
    assert encode_event("e", "glace \u00e0 la vanille \u2603") == (
        "event: e\ndata: glace \u00e0 la vanille \u2603\n\n".encode()
    )


@pytest.mark.parametrize("name", ["two\nlines", "two\rlines", "two\r\nlines"])
def test_an_event_name_with_a_line_break_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="line break"):
        encode_event(name, "x")
