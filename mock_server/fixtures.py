"""Loading the fixture files: users, datasets and the notifications the mock starts with.

A bad file stops start-up with a :class:`FixtureError` whose message names the file, the entry
and what is wrong with it, e.g. ``fixtures/users.yaml, entry 2 (bob): 'api_key' is missing``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mock_server.models import Dataset, Notification, User, View
from mock_server.timefmt import parse_timestamp

NOTIFICATION_FIELDS = frozenset(
    {
        "user",
        "user_id",
        "id",
        "entity_type",
        "entity_id",
        "title",
        "message",
        "metadata",
        "dataset_id",
        "created_at",
        "read_at",
    }
)


class FixtureError(ValueError):
    """A fixture file cannot be used; the message says which file, which entry and why."""


class FieldError(ValueError):
    """One field of a notification is wrong; ``field`` is its dotted name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Directory:
    """Who exists and what they can see."""

    users: Mapping[str, User]  # by name
    datasets: Mapping[str, Dataset]  # by dataset_id

    def find_user(self, name_or_id: str) -> User | None:
        user = self.users.get(name_or_id)
        if user is not None:
            return user
        wanted = name_or_id.lower()
        return next((u for u in self.users.values() if u.user_id == wanted), None)

    def find_dataset(self, id_or_name: str) -> Dataset | None:
        ds = self.datasets.get(id_or_name.lower())
        if ds is not None:
            return ds
        return next((d for d in self.datasets.values() if d.name == id_or_name), None)

    def datasets_of(self, user: User) -> list[Dataset]:
        return [d for d in self.datasets.values() if user.name in d.members]


@dataclass(frozen=True, slots=True)
class FixtureSet:
    directory: Directory
    notifications: tuple[Notification, ...]


def default_fixtures_dir() -> Path:
    here = Path(__file__).resolve().parent
    repo_copy = here.parent / "fixtures"
    if (repo_copy / "users.yaml").is_file():
        return repo_copy
    return Path(str(resources.files("mock_server") / "data" / "fixtures"))


def load_fixtures(folder: str | Path | None = None, *, now: int = 0) -> FixtureSet:
    """Read ``users.yaml``, ``datasets.yaml`` and ``notifications.yaml`` from ``folder``.

    ``now`` (microseconds) is the ``created_at`` of notifications that give none.
    """
    base = Path(folder) if folder is not None else default_fixtures_dir()
    if not base.is_dir():
        raise FixtureError(f"fixtures folder {base} does not exist")
    users = _load_users(base / "users.yaml")
    datasets = _load_datasets(base / "datasets.yaml", users)
    directory = Directory(users, datasets)
    path = base / "notifications.yaml"
    raw = _read_list(path, required=False)
    notifications = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, 1):
        where = f"{path}, entry {i}"
        if not isinstance(entry, dict):
            raise FixtureError(f"{where}: expected a mapping of notification fields")
        try:
            n = build_notification(entry, directory, now=now)
        except ValueError as exc:
            raise FixtureError(f"{where}: {exc}") from None
        except KeyError as exc:
            raise FixtureError(f"{where}: user {exc.args[0]!r} is not in users.yaml") from None
        if n.id in seen:
            raise FixtureError(f"{where}: id {n.id} is used twice")
        seen.add(n.id)
        notifications.append(n)
    return FixtureSet(directory, tuple(notifications))


def _read_list(path: Path, *, required: bool = True) -> list[Any]:
    if not path.is_file():
        if required:
            raise FixtureError(f"{path}: file not found")
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FixtureError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise FixtureError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise FixtureError(f"{path}: not valid YAML{line}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise FixtureError(f"{path}: expected a list of entries at the top level")
    return data


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    if key not in entry:
        raise FixtureError(f"{where}: {key!r} is missing")
    value = entry[key]
    if not isinstance(value, str) or not value:
        raise FixtureError(f"{where}: {key!r} must be a non-empty string")
    return value


def _uuid(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise FieldError(what, f"{what} must be a UUID string")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise FieldError(what, f"{what} {value!r} is not a UUID") from None
    return str(parsed)


def _load_users(path: Path) -> dict[str, User]:
    users: dict[str, User] = {}
    taken: dict[str, set[str]] = {"user_id": set(), "api_key": set(), "session": set()}
    for i, entry in enumerate(_read_list(path), 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"{path}, entry {i}" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(entry, dict):
            raise FixtureError(
                f"{where}: expected a mapping with name, user_id, api_key, api_secret and session"
            )
        fields = {
            k: _text(entry, k, where)
            for k in ("name", "user_id", "api_key", "api_secret", "session")
        }
        try:
            fields["user_id"] = _uuid(fields["user_id"], "user_id")
        except ValueError as exc:
            raise FixtureError(f"{where}: {exc}") from None
        if fields["name"] in users:
            raise FixtureError(f"{where}: the name {fields['name']!r} is used twice")
        for key, values in taken.items():
            if fields[key] in values:
                raise FixtureError(f"{where}: {key} {fields[key]!r} is used by another user")
            values.add(fields[key])
        users[fields["name"]] = User(**fields)
    if not users:
        raise FixtureError(f"{path}: at least one user is needed")
    return users


def _load_datasets(path: Path, users: Mapping[str, User]) -> dict[str, Dataset]:
    datasets: dict[str, Dataset] = {}
    for i, entry in enumerate(_read_list(path, required=False), 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"{path}, entry {i}" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(entry, dict):
            raise FixtureError(f"{where}: expected a mapping with dataset_id, name, members, views")
        try:
            dataset_id = _uuid(entry.get("dataset_id"), "dataset_id")
        except ValueError as exc:
            raise FixtureError(f"{where}: {exc}") from None
        members = entry.get("members")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise FixtureError(f"{where}: 'members' must be a list of user names")
        for m in members:
            if m not in users:
                raise FixtureError(f"{where}: member {m!r} is not a user in users.yaml")
        raw_views = entry.get("views") or []
        if not isinstance(raw_views, list):
            raise FixtureError(f"{where}: 'views' must be a list of entity_id and name")
        views = []
        for j, v in enumerate(raw_views, 1):
            if not isinstance(v, dict):
                raise FixtureError(f"{where}, view {j}: expected entity_id and name")
            try:
                entity_id = _uuid(v.get("entity_id"), "entity_id")
            except ValueError as exc:
                raise FixtureError(f"{where}, view {j}: {exc}") from None
            views.append(View(entity_id, _text(v, "name", f"{where}, view {j}")))
        if dataset_id in datasets:
            raise FixtureError(f"{where}: dataset_id {dataset_id} is used twice")
        datasets[dataset_id] = Dataset(
            dataset_id, _text(entry, "name", where), tuple(members), tuple(views)
        )
    return datasets


def build_notification(
    fields: Mapping[str, Any], directory: Directory, *, now: int, new_id: str | None = None
) -> Notification:
    """Complete a partial notification (fixture entry or injected object).

    Raises ``ValueError`` naming the offending field; the caller adds where it came from.
    ``KeyError`` is raised (with the user's name) when the user is unknown.
    """
    unknown = set(fields) - NOTIFICATION_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise FieldError(name, f"unknown field {name!r}")
    user = _owner(fields, directory)
    dataset_id = fields.get("dataset_id", ...)
    if dataset_id is ...:
        owned = directory.datasets_of(user)
        dataset_id = owned[0].dataset_id if owned else None
    elif dataset_id is not None:
        dataset_id = _uuid(dataset_id, "dataset_id")
    dataset = directory.datasets.get(dataset_id) if dataset_id else None
    view = dataset.views[0] if dataset and dataset.views else None
    entity_id = fields.get("entity_id")
    if entity_id is None:
        entity_id = view.entity_id if view else str(uuid.uuid4())
    else:
        entity_id = _uuid(entity_id, "entity_id")
        if dataset:
            view = next((v for v in dataset.views if v.entity_id == entity_id), view)
    metadata = _metadata(fields.get("metadata", {}), dataset, view)
    created = fields.get("created_at")
    read = fields.get("read_at")
    for key, value in (
        ("title", fields.get("title", "")),
        ("entity_type", fields.get("entity_type", "saved_view")),
    ):
        if not isinstance(value, str):
            raise FieldError(key, f"{key!r} must be a string")
    message = fields.get("message")
    if message is not None and not isinstance(message, str):
        raise FieldError("message", "'message' must be a string or null")
    return Notification(
        id=_uuid(fields["id"], "id") if "id" in fields else (new_id or str(uuid.uuid4())),
        user_id=user.user_id,
        entity_type=fields.get("entity_type", "saved_view"),
        entity_id=entity_id,
        title=fields.get("title", ""),
        message=message,
        metadata=metadata,
        dataset_id=dataset_id,
        created_at=now if created is None else _timestamp(created, "created_at"),
        read_at=None if read is None else _timestamp(read, "read_at"),
    )


def _owner(fields: Mapping[str, Any], directory: Directory) -> User:
    """The user named by ``user`` (a name or user_id) and/or ``user_id`` (they must agree)."""
    if "user" not in fields and "user_id" not in fields:
        raise FieldError("user", "'user' (a user's name or user_id) is required")
    owner: User | None = None
    for key in ("user", "user_id"):
        if key not in fields:
            continue
        who = fields[key]
        if not isinstance(who, str):
            raise FieldError(key, f"{key!r} must be a string")
        if key == "user_id":
            who = _uuid(who, "user_id")
        user = directory.find_user(who)
        if user is None:
            raise KeyError(who)
        if owner is not None and user is not owner:
            raise FieldError("user_id", "'user' and 'user_id' name different users")
        owner = user
    assert owner is not None
    return owner


def _timestamp(value: Any, key: str) -> int:
    if not isinstance(value, str):
        raise FieldError(key, f"{key!r} must be a timestamp like 2026-03-31T17:02:12.432489")
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise FieldError(key, f"{key!r}: {exc}") from None


def _metadata(given: Any, dataset: Dataset | None, view: View | None) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise FieldError("metadata", "'metadata' must be a mapping")
    meta: dict[str, Any] = {
        "batch_id": str(uuid.uuid4()),
        "is_alert": True,
        "view_name": view.name if view else "untitled view",
        "dataset_name": dataset.name if dataset else "untitled dataset",
        "result_count": 1,
    }
    meta.update(given)
    meta["batch_id"] = _uuid(meta["batch_id"], "metadata.batch_id")
    checks = (("is_alert", bool), ("view_name", str), ("dataset_name", str))
    for key, kind in checks:
        if not isinstance(meta[key], kind):
            raise FieldError(f"metadata.{key}", f"'metadata.{key}' must be a {kind.__name__}")
    count = meta["result_count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise FieldError(
            "metadata.result_count", "'metadata.result_count' must be a non-negative integer"
        )
    return meta
