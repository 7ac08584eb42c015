"""GET /api/v1/notifications: order, pagination arithmetic, parameter parsing and filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_server import MockServer

LIST = "/api/v1/notifications"
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"
WAREHOUSE = "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293"
# alice's three fixture notifications, newest first (the last two share created_at)
ALICE_START = [
    "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57",
    "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
    "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4",
]


def ids(page: dict[str, Any]) -> list[str]:
    return [n["id"] for n in page["notifications"]]


def inject(client: httpx.Client, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/_mock/notifications", json=entries)
    assert response.status_code == 201
    made: list[dict[str, Any]] = response.json()
    return made


def page(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get(LIST, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_list_is_newest_first(alice: httpx.Client) -> None:
    assert ids(page(alice)) == ALICE_START


def test_ties_on_created_at_are_broken_by_id_descending(alice: httpx.Client) -> None:
    at = "2030-01-01T00:00:00.000000"
    given = [
        "00000000-0000-4000-8000-000000000002",
        "ffffffff-0000-4000-8000-000000000000",
        "80000000-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-000000000010",
    ]
    inject(alice, [{"user": "alice", "id": i, "created_at": at} for i in given])
    newer = inject(alice, [{"user": "alice", "created_at": "2030-01-01T00:00:00.000001"}])
    assert ids(page(alice))[:5] == [newer[0]["id"], *sorted(given, reverse=True)]


def test_an_injected_notification_lists_first(alice: httpx.Client) -> None:
    made = inject(alice, [{"user": "alice"}])
    assert ids(page(alice))[0] == made[0]["id"]


def test_total_counts_every_match_and_has_more_is_offset_plus_page_below_total(
    alice: httpx.Client,
) -> None:
    inject(alice, [{"user": "alice"}] * 25)  # 28 in all
    for offset, limit, size, has_more in [
        (0, 10, 10, True),
        (10, 10, 10, True),
        (17, 10, 10, True),
        (18, 10, 10, False),
        (20, 10, 8, False),
        (27, 10, 1, False),
        (0, 28, 28, False),
        (0, 27, 27, True),
    ]:
        body = page(alice, offset=offset, limit=limit)
        assert (len(body["notifications"]), body["total"], body["has_more"]) == (
            size,
            28,
            has_more,
        ), (offset, limit)


def test_pages_walked_by_offset_cover_every_notification_once_in_order(
    alice: httpx.Client,
) -> None:
    inject(alice, [{"user": "alice"}] * 22)
    everything = ids(page(alice, limit=100))
    walked: list[str] = []
    offset = 0
    while True:
        body = page(alice, limit=7, offset=offset)
        walked += ids(body)
        if not body["has_more"]:
            break
        offset += 7
    assert walked == everything
    assert len(set(walked)) == 25


def test_an_offset_past_the_end_is_an_empty_page_with_the_same_total(
    alice: httpx.Client,
) -> None:
    for offset in (3, 4, 100, 10**9):
        assert page(alice, offset=offset) == {"notifications": [], "total": 3, "has_more": False}


def test_the_default_limit_is_twenty(alice: httpx.Client) -> None:
    inject(alice, [{"user": "alice"}] * 30)
    body = page(alice)
    assert len(body["notifications"]) == 20
    assert body["total"] == 33
    assert body["has_more"] is True


def test_limits_of_one_and_one_hundred_are_accepted(alice: httpx.Client) -> None:
    inject(alice, [{"user": "alice"}] * 110)
    assert len(page(alice, limit=1)["notifications"]) == 1
    assert len(page(alice, limit=100)["notifications"]) == 100


@pytest.mark.parametrize(
    ("name", "value", "kind", "msg"),
    [
        ("limit", "0", "greater_than_equal", "Input should be greater than or equal to 1"),
        ("limit", "101", "less_than_equal", "Input should be less than or equal to 100"),
        ("limit", "-1", "greater_than_equal", "Input should be greater than or equal to 1"),
        (
            "limit",
            "abc",
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "limit",
            "1.5",
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        ("limit", "", "int_parsing", None),
        ("offset", "-1", "greater_than_equal", "Input should be greater than or equal to 0"),
        ("offset", "x", "int_parsing", None),
    ],
)
def test_a_bad_limit_or_offset_is_a_422_naming_it(
    alice: httpx.Client, name: str, value: str, kind: str, msg: str | None
) -> None:
    response = alice.get(LIST, params={name: value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", name]
    assert error["type"] == kind
    assert error["input"] == value
    if msg is not None:
        assert error["msg"] == msg


def test_every_bad_parameter_is_reported_at_once(alice: httpx.Client) -> None:
    response = alice.get(
        LIST, params={"limit": "0", "offset": "-1", "unread_only": "maybe", "dataset_id": "x"}
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["query", "limit"],
        ["query", "offset"],
        ["query", "unread_only"],
        ["query", "dataset_id"],
    ]


def test_a_repeated_parameter_takes_its_last_value(alice: httpx.Client) -> None:
    assert len(alice.get(f"{LIST}?limit=1&limit=2").json()["notifications"]) == 2
    response = alice.get(f"{LIST}?limit=2&limit=0")
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == "0"


def test_percent_encoded_values_and_blank_parameters_are_decoded_before_validation(
    alice: httpx.Client,
) -> None:
    assert len(alice.get(f"{LIST}?limit=%32").json()["notifications"]) == 2
    assert ids(alice.get(f"{LIST}?unread_only=%74rue").json()) == ALICE_START[:2]
    blank = alice.get(f"{LIST}?limit=")  # blank is a value to parse, not an absent one
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["input"] == ""
    # a UTF-8 value arrives decoded, as the text the client sent
    odd = alice.get(LIST, params={"dataset_id": "é"})
    assert odd.status_code == 422
    assert odd.json()["detail"][0]["input"] == "é"


TRUTHY = ["true", "True", "TRUE", "1", "yes", "YES", "on", "On", "t", "T", "y", "Y"]
FALSY = ["false", "False", "FALSE", "0", "no", "NO", "off", "Off", "f", "F", "n", "N"]


def test_unread_only_parses_every_spelling_of_a_boolean(alice: httpx.Client) -> None:
    for value in TRUTHY:
        assert ids(page(alice, unread_only=value)) == ALICE_START[:2], value
    for value in FALSY:
        assert ids(page(alice, unread_only=value)) == ALICE_START, value


@pytest.mark.parametrize("value", ["maybe", "2", "", "tru", "yess", "-1", "null", "none"])
def test_unread_only_rejects_anything_else(alice: httpx.Client, value: str) -> None:
    response = alice.get(LIST, params={"unread_only": value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "unread_only"]
    assert error["type"] == "bool_parsing"


def test_unread_only_counts_only_unread_in_total(alice: httpx.Client) -> None:
    inject(alice, [{"user": "alice", "read_at": "2026-04-01T00:00:00.000000"}] * 4)
    inject(alice, [{"user": "alice"}] * 3)
    assert page(alice)["total"] == 10
    body = page(alice, unread_only="true", limit=2)
    assert body["total"] == 5
    assert body["has_more"] is True
    assert all(n["read_at"] is None for n in page(alice, unread_only="true")["notifications"])


def test_dataset_id_filters_the_list(alice: httpx.Client) -> None:
    inject(alice, [{"user": "alice", "dataset_id": STREETS}] * 2)
    streets = page(alice, dataset_id=STREETS)
    assert streets["total"] == 4
    assert {n["dataset_id"] for n in streets["notifications"]} == {STREETS}
    assert ids(page(alice, dataset_id=ICE_CREAM)) == ALICE_START[:1]
    assert page(alice, dataset_id=STREETS, unread_only="true")["total"] == 3


def test_a_dataset_the_user_has_nothing_in_gives_an_empty_page(alice: httpx.Client) -> None:
    for dataset in (WAREHOUSE, "00000000-0000-0000-0000-000000000000"):
        assert page(alice, dataset_id=dataset) == {
            "notifications": [],
            "total": 0,
            "has_more": False,
        }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", LIST),
        ("GET", "/api/v1/notifications/unread-count"),
        ("POST", "/api/v1/notifications/read-all"),
        ("GET", "/api/v1/notifications/stream"),
    ],
)
@pytest.mark.parametrize(
    "value", ["x", "", "a981fc0c2d1f11f1a7cad2580fa2deac", "{a981fc0c-2d1f-11f1-a7ca-d2580fa2deac}"]
)
def test_every_endpoint_refuses_a_dataset_id_that_is_not_a_uuid(
    alice: httpx.Client, method: str, path: str, value: str
) -> None:
    response = alice.request(method, path, params={"dataset_id": value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "dataset_id"]
    assert error["type"] == "uuid_parsing"
    assert alice.get("/_mock/streams").json() == {"open": 0}


def test_an_uppercase_dataset_id_filters_like_the_lowercase_one(alice: httpx.Client) -> None:
    upper = page(alice, dataset_id=STREETS.upper())
    assert upper == page(alice, dataset_id=STREETS)
    assert upper["total"] == 2
    count = alice.get("/api/v1/notifications/unread-count", params={"dataset_id": STREETS.upper()})
    assert count.json() == {"count": 1}


def test_identifiers_given_in_uppercase_come_back_lowercase(alice: httpx.Client) -> None:
    given = "ABCDEF01-2345-4678-9ABC-DEF012345678"
    made = inject(alice, [{"user": "alice", "id": given, "dataset_id": STREETS.upper()}])[0]
    assert made["id"] == given.lower()
    listed = page(alice, limit=1)["notifications"][0]
    assert listed["id"] == given.lower()
    assert listed["dataset_id"] == STREETS
    for key in ("id", "user_id", "entity_id", "dataset_id"):
        assert listed[key] == listed[key].lower()
    assert listed["metadata"]["batch_id"] == listed["metadata"]["batch_id"].lower()


def test_a_notification_has_exactly_the_ten_documented_fields(alice: httpx.Client) -> None:
    first = page(alice)["notifications"][0]
    assert first == {
        "id": "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57",
        "user_id": "8f2f00c0-8446-49de-935f-0e9e058cb2a8",
        "entity_type": "saved_view",
        "entity_id": "94431831-ceeb-4e21-8c5b-84c78783bd4b",
        "title": "",
        "message": None,
        "metadata": {
            "batch_id": "a863a595-5aaf-45d3-89a9-073a73d59671",
            "is_alert": True,
            "view_name": "icecream",
            "dataset_name": "Ice cream",
            "result_count": 1875,
        },
        "dataset_id": "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac",
        "created_at": "2026-03-31T17:02:12.432489",
        "read_at": None,
    }


def test_users_see_only_their_own_notifications(
    alice: httpx.Client, bob: httpx.Client, mock: MockServer
) -> None:
    inject(alice, [{"user": "bob", "dataset_id": ICE_CREAM}] * 3)
    alice_id, bob_id = mock.user("alice").user_id, mock.user("bob").user_id
    alices, bobs = page(alice, limit=100), page(bob, limit=100)
    assert {n["user_id"] for n in alices["notifications"]} == {alice_id}
    assert {n["user_id"] for n in bobs["notifications"]} == {bob_id}
    assert (alices["total"], bobs["total"]) == (3, 5)
    assert page(alice, dataset_id=ICE_CREAM)["total"] == 1
