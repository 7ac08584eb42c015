"""The clause catalogue: every check the kit makes, each tied to a stable id and the sentence
of the documentation (or the contract decision in ``openapi.yaml``) it checks.

Ids are stable: tools and the project's own tests refer to them, so an id is never renamed or
reused; a new check gets a new id. Tags say what a clause needs:

- ``mark``: it marks notifications read (skipped by ``--read-only``);
- ``b``: it needs the second user (``--api-key-b``/``--api-secret-b``);
- ``mint``: it needs the key and secret to mint tokens (skipped when only ``--token`` is given);
- ``stream``: it reads the event stream (each read bounded by ``--sse-timeout``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

MARK = "mark"
B = "b"
MINT = "mint"
STREAM = "stream"
TAGS = frozenset({MARK, B, MINT, STREAM})


@dataclass(frozen=True, slots=True)
class Clause:
    """One named check: ``id`` (stable), a short ``title``, the ``doc`` sentence it checks, and
    its ``tags`` (see the module docstring)."""

    id: str
    title: str
    doc: str
    tags: frozenset[str] = frozenset()
    group: str = ""

    @property
    def marks(self) -> bool:
        return MARK in self.tags

    @property
    def needs_b(self) -> bool:
        return B in self.tags

    @property
    def needs_mint(self) -> bool:
        return MINT in self.tags

    @property
    def streams(self) -> bool:
        return STREAM in self.tags


def _c(group: str, id: str, title: str, doc: str, *tags: str) -> Clause:
    unknown = set(tags) - TAGS
    if unknown:  # pragma: no cover - a typo in the table below
        raise ValueError(f"clause {id}: unknown tags {sorted(unknown)}")
    return Clause(id, title, doc, frozenset(tags), group)


_CATALOGUE: tuple[Clause, ...] = (
    # -- schema ------------------------------------------------------------------------------
    _c(
        "Schema",
        "SCHEMA-REST",
        "schemathesis over every REST operation",
        "Every REST operation answers generated requests as openapi.yaml declares (status, "
        "content type, body schema, headers), and invalid input is refused with 422.",
        MARK,
    ),
    _c(
        "Schema",
        "SCHEMA-STREAM",
        "stream events validate",
        "Each event of GET /api/v1/notifications/stream validates against the event schema "
        "in openapi.yaml.",
        STREAM,
    ),
    # -- listing -----------------------------------------------------------------------------
    _c(
        "Listing",
        "LIST-LIMIT-BOUNDS",
        "limit is 1..100",
        "limit: integer, 1 to 100; limit=0, 101 or -1 is 422 with FastAPI's body, "
        'loc ["query", "limit"].',
    ),
    _c(
        "Listing",
        "LIST-LIMIT-TYPE",
        "limit must be an integer",
        'A non-integer limit ("abc", "1.5") is 422 with FastAPI\'s body naming limit.',
    ),
    _c(
        "Listing",
        "LIST-OFFSET-BOUNDS",
        "offset is 0 or more",
        'offset: integer, 0 or more; offset=-1 or "abc" is 422 naming offset.',
    ),
    _c(
        "Listing",
        "LIST-DEFAULT-LIMIT",
        "default limit is 20",
        "Without limit, the list holds min(20, total) notifications.",
    ),
    _c(
        "Listing",
        "LIST-UNREAD-ONLY-PARSING",
        "unread_only parses as a boolean",
        "unread_only accepts true/false/1/0/yes/no/on/off in any case; anything else is 422.",
    ),
    _c(
        "Listing",
        "LIST-UNREAD-ONLY-FILTER",
        "unread_only lists only unread",
        "unread_only=true lists only notifications with read_at null, and its total equals "
        "the unread count.",
    ),
    _c(
        "Listing",
        "LIST-ORDER",
        "newest first",
        "Notifications are listed newest first (created_at descending, ties by id descending), "
        "across pages.",
    ),
    _c(
        "Listing",
        "LIST-PAGINATION-WALK",
        "total and has_more over a full walk",
        "Walking every page gives no duplicates and no gaps; every page has the same total, "
        "has_more == offset + len(notifications) < total, and the union has total items.",
    ),
    _c(
        "Listing",
        "LIST-OFFSET-PAST-END",
        "offset past the end",
        "offset >= total is 200 with an empty list, the same total and has_more false.",
    ),
    _c(
        "Listing",
        "LIST-SHAPE",
        "notification fields",
        "Every notification has exactly the ten documented fields, canonical lowercase UUIDs, "
        "naive microsecond timestamps, and metadata with its five documented keys.",
    ),
    # -- datasets ----------------------------------------------------------------------------
    _c(
        "Datasets",
        "DATASET-ID-VALIDATION",
        "dataset_id must be a UUID",
        "A non-UUID dataset_id is 422 naming dataset_id on list, unread-count, read-all and "
        "stream; a refused read-all marks nothing.",
    ),
    _c(
        "Datasets",
        "DATASET-ID-FILTER",
        "dataset_id filters",
        "With dataset_id, the list and the unread count cover only that dataset (every item "
        "has that dataset_id; per-dataset totals add up).",
    ),
    # -- reading -----------------------------------------------------------------------------
    _c(
        "Reading",
        "READ-AGAIN-404",
        "mark read twice",
        'Marking an unread notification read is 200 {"ok": true}; marking it again is 404 '
        '{"detail": str}.',
        MARK,
    ),
    _c(
        "Reading",
        "READ-UNKNOWN-404",
        "unknown id",
        'Marking an unknown notification id read (a UUID in either case) is 404 {"detail": str}.',
    ),
    _c(
        "Reading",
        "READ-NON-UUID-422",
        "non-UUID id",
        'Marking "not-a-uuid" read is 422 naming notification_id.',
    ),
    _c(
        "Reading",
        "READ-SETS-READ-AT",
        "read_at is set",
        "After marking, the notification lists with read_at set (not before the request and "
        "not after the answer), and no longer appears with unread_only=true.",
        MARK,
    ),
    _c(
        "Reading",
        "COUNT-MATCHES-UNREAD-TOTAL",
        "count equals unread_only total",
        "GET /notifications/unread-count equals the total of unread_only=true, also per dataset.",
    ),
    _c(
        "Reading",
        "COUNT-DECREMENTS-ON-READ",
        "a read lowers the count by one",
        "Marking one unread notification read lowers the unread count by exactly one.",
        MARK,
    ),
    _c(
        "Reading",
        "READ-ALL-COUNT",
        "read-all's count",
        'read-all returns {"ok": true, "count": n} with n the unread count it cleared; '
        "afterwards the count is 0 and a second read-all returns 0.",
        MARK,
    ),
    _c(
        "Reading",
        "READ-ALL-DATASET-SCOPE",
        "read-all with dataset_id",
        "read-all with dataset_id clears only that dataset: other datasets' unread stay "
        "unread, and the count returned is that dataset's unread count.",
        MARK,
    ),
    # -- auth --------------------------------------------------------------------------------
    _c(
        "Auth",
        "AUTH-MISSING",
        "no credentials",
        "Every endpoint, the stream included, answers a request without credentials with 401 "
        '{"detail": str}.',
    ),
    _c(
        "Auth",
        "AUTH-MALFORMED",
        "garbage bearer",
        'A bearer token that is not a JWT is 401 {"detail": str}.',
    ),
    _c(
        "Auth",
        "AUTH-ALG-NONE",
        "unsigned token",
        'An unsigned token (alg "none") is 401 {"detail": str}.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-OTHER-ALG",
        "another algorithm",
        "A token signed with the right secret but another algorithm (HS512) is 401 "
        '{"detail": str}: only HS256 is accepted.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-BAD-SIGNATURE",
        "wrong signature",
        'A token signed with another secret is 401 {"detail": str}.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-UNKNOWN-KEY",
        "unknown key",
        'A token for an unknown API key is 401 {"detail": str}.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-NO-EXP",
        "token without exp",
        'A token without an exp claim is 401 {"detail": str}.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-EXPIRED",
        "expired token",
        'A token whose exp is in the past is 401 {"detail": str}.',
        MINT,
    ),
    _c(
        "Auth",
        "AUTH-BEFORE-VALIDATION",
        "401 before 422",
        "Authentication is checked before parameters: no credentials and limit=0 is 401, not 422.",
    ),
    _c(
        "Auth",
        "AUTH-VALID",
        "a minted token works",
        "A freshly minted HS256 token (kid = sub = the API key, iat, exp) is accepted: 200, "
        "on every endpoint.",
        MINT,
    ),
    # -- isolation ---------------------------------------------------------------------------
    _c(
        "Isolation",
        "ISOLATION-LIST",
        "lists are per user",
        "Neither user's list contains a notification id from the other's.",
        B,
    ),
    _c(
        "Isolation",
        "ISOLATION-COUNT",
        "counts are per user",
        "A user's unread count does not change when the other user reads.",
        B,
        MARK,
    ),
    _c(
        "Isolation",
        "ISOLATION-READ",
        "another user's id is 404",
        "Marking another user's unread notification read is 404, and it stays unread for its "
        "owner.",
        B,
        MARK,  # it tries to: a server without isolation would mark the other user's notification
    ),
    _c(
        "Isolation",
        "ISOLATION-READ-ALL",
        "read-all is per user",
        "One user's read-all leaves the other user's unread count unchanged.",
        B,
        MARK,
    ),
    _c(
        "Isolation",
        "ISOLATION-STREAM",
        "streams are per user",
        "A notification for one user never reaches another user's stream.",
        B,
        STREAM,
    ),
    # -- stream ------------------------------------------------------------------------------
    _c(
        "Stream",
        "STREAM-CONTENT-TYPE",
        "stream headers",
        "The stream answers 200 with Content-Type text/event-stream and Cache-Control no-cache.",
        STREAM,
    ),
    _c(
        "Stream",
        "STREAM-PING-CADENCE",
        "a ping every 3 s",
        "The stream sends a ping every 3 seconds: no gap between events over 3 s plus tolerance.",
        STREAM,
    ),
    _c(
        "Stream",
        "STREAM-FRAMING",
        "SSE framing",
        "Each event is an `event: <name>` line, `data:` lines and a blank line; a ping has an "
        "empty data line.",
        STREAM,
    ),
    _c(
        "Stream",
        "STREAM-NOTIFICATION-EVENT",
        "new notifications are pushed",
        "A notification created after connecting arrives as `event: notification` whose data "
        "is a Notification.",
        STREAM,
    ),
    _c(
        "Stream",
        "STREAM-DATASET-FILTER",
        "stream with dataset_id",
        "A stream opened with dataset_id receives only that dataset's notifications.",
        STREAM,
    ),
    _c(
        "Stream",
        "STREAM-AUTH-401",
        "401 before streaming",
        "Missing or invalid credentials on the stream are 401 JSON before any stream opens.",
        STREAM,
    ),
    # -- model -------------------------------------------------------------------------------
    _c(
        "Model",
        "STATEFUL-MODEL",
        "a stateful model agrees",
        "Listing pages, reading one, reading again, read-all and counting agree with a model of "
        "the caller's unread and read ids after every step.",
        MARK,
    ),
)


class Catalogue(Mapping[str, Clause]):
    """The clauses by id, in the order the report lists them."""

    def __init__(self, clauses: tuple[Clause, ...] = _CATALOGUE) -> None:
        self._by_id = {c.id: c for c in clauses}
        if len(self._by_id) != len(clauses):  # pragma: no cover - a duplicate in the table
            raise ValueError("duplicate clause id")

    def __getitem__(self, key: str) -> Clause:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


CLAUSES = Catalogue()
"""Every clause, by id (immutable)."""
CLAUSE_IDS: tuple[str, ...] = tuple(CLAUSES)
