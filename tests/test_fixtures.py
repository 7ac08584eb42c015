"""The fixture files: the default set, and bad files stopping start-up with one sentence that
names the file and the offending entry."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mock_server.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC_BATCH = "a863a595-5aaf-45d3-89a9-073a73d59671"


def test_the_default_users_are_alice_and_bob_with_full_credentials(
    client: httpx.Client,
) -> None:
    users = {u["name"]: u for u in client.get("/_mock/users").json()}
    assert set(users) == {"alice", "bob"}
    for user in users.values():
        for key in ("user_id", "api_key", "api_secret", "session"):
            assert user[key]
    assert users["alice"]["user_id"] == "8f2f00c0-8446-49de-935f-0e9e058cb2a8"  # the doc's user
    assert len({u["api_key"] for u in users.values()}) == 2
    assert len({u["session"] for u in users.values()}) == 2


def test_the_default_datasets_are_shared_and_unshared(client: httpx.Client) -> None:
    datasets = {d["name"]: d for d in client.get("/_mock/state").json()["datasets"]}
    assert datasets["Ice cream"]["dataset_id"] == "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
    assert sorted(datasets["Ice cream"]["members"]) == ["alice", "bob"]
    assert datasets["Street scenes"]["members"] == ["alice"]
    assert datasets["Warehouse shelves"]["members"] == ["bob"]
    assert all(d["views"] for d in datasets.values())


def test_the_documentations_example_reaches_both_members_of_its_batch(
    alice: httpx.Client, bob: httpx.Client
) -> None:
    doc = alice.get("/api/v1/notifications").json()["notifications"][0]
    assert doc["id"] == "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"
    assert doc["metadata"]["batch_id"] == DOC_BATCH
    bobs = bob.get("/api/v1/notifications").json()["notifications"]
    same_batch = [n for n in bobs if n["metadata"]["batch_id"] == DOC_BATCH]
    assert len(same_batch) == 1
    assert same_batch[0]["created_at"] == doc["created_at"]
    assert same_batch[0]["entity_id"] == doc["entity_id"]


def test_omitted_fixture_fields_are_completed_from_the_dataset(bob: httpx.Client) -> None:
    bobs = bob.get("/api/v1/notifications").json()["notifications"]
    shelves = next(n for n in bobs if n["id"] == "8b7a6f5e-4d3c-4b2a-9180-f7e6d5c4b3a2")
    assert (shelves["entity_type"], shelves["title"], shelves["message"]) == (
        "saved_view",
        "",
        None,
    )
    assert shelves["read_at"] is None


# -- bad fixture files ------------------------------------------------------------------------

Edit = Callable[[Path], None]


def _replace(name: str, old: str, new: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _write(name: str, content: bytes) -> Edit:
    def edit(folder: Path) -> None:
        (folder / name).write_bytes(content)

    return edit


def _delete(name: str) -> Edit:
    def edit(folder: Path) -> None:
        (folder / name).unlink()

    return edit


MISTAKES: dict[str, tuple[Edit, str, str]] = {
    # name: (edit, file named, what the sentence must say about the entry)
    "missing key": (
        _replace("users.yaml", "  api_key: vl_key_bob_9a3d5e1f\n", ""),
        "users.yaml",
        "entry 2 (bob): 'api_key' is missing",
    ),
    "bad user_id": (
        _replace("users.yaml", "3b1f6c2a-9d4e-4f7a-8b2c-1e5d7a9c3f60", "bob-1"),
        "users.yaml",
        "entry 2 (bob): user_id 'bob-1' is not a UUID",
    ),
    "duplicate api key": (
        _replace("users.yaml", "vl_key_bob_9a3d5e1f", "vl_key_alice_4f1c2b7e"),
        "users.yaml",
        "entry 2 (bob): api_key 'vl_key_alice_4f1c2b7e' is used by another user",
    ),
    "not yaml": (
        _replace("users.yaml", "- name: bob", "- name: bob\n   oops: [unclosed"),
        "users.yaml",
        "not valid YAML at line",
    ),
    "not a list": (
        _write("users.yaml", b"alice: {}\n"),
        "users.yaml",
        "expected a list of entries at the top level",
    ),
    "no users": (_write("users.yaml", b"[]\n"), "users.yaml", "at least one user is needed"),
    "missing users file": (_delete("users.yaml"), "users.yaml", "file not found"),
    "not utf-8": (_write("users.yaml", b"- name: \xff\xfe\n"), "users.yaml", "not UTF-8"),
    "unknown member": (
        _replace("datasets.yaml", "members: [bob]", "members: [bob, carol]"),
        "datasets.yaml",
        "entry 3 (Warehouse shelves): member 'carol' is not a user in users.yaml",
    ),
    "bad dataset id": (
        _replace("datasets.yaml", "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293", "warehouse"),
        "datasets.yaml",
        "entry 3 (Warehouse shelves): dataset_id 'warehouse' is not a UUID",
    ),
    "view without name": (
        _replace("datasets.yaml", "      name: empty shelves\n", ""),
        "datasets.yaml",
        "entry 3 (Warehouse shelves), view 1: 'name' is missing",
    ),
    "unknown user": (
        _replace("notifications.yaml", "- user: bob\n", "- user: carol\n"),
        "notifications.yaml",
        "entry 2: user 'carol' is not in users.yaml",
    ),
    "bad timestamp": (
        _replace("notifications.yaml", '"2026-03-29T22:47:05.610002"', '"last tuesday"'),
        "notifications.yaml",
        "entry 5: 'created_at'",
    ),
    "bad result count": (
        _replace("notifications.yaml", "result_count: 42", "result_count: lots"),
        "notifications.yaml",
        "entry 3: 'metadata.result_count' must be a non-negative integer",
    ),
    "unknown field": (
        _replace("notifications.yaml", "- user: bob\n", "- user: bob\n  colour: red\n"),
        "notifications.yaml",
        "entry 2: unknown field 'colour'",
    ),
    "duplicate id": (
        _replace(
            "notifications.yaml",
            "2f7c9e1a-4b3d-4c5e-8f6a-7b8c9d0e1f2a",
            "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57",
        ),
        "notifications.yaml",
        "entry 2: id e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57 is used twice",
    ),
    "entry not a mapping": (
        _write("notifications.yaml", b"- just a string\n"),
        "notifications.yaml",
        "entry 1: expected a mapping of notification fields",
    ),
}


def _broken(tmp_path: Path, edit: Edit) -> Path:
    folder = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", folder)
    edit(folder)
    return folder


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_bad_fixture_file_stops_start_up_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mistake: str
) -> None:
    edit, file_name, entry = MISTAKES[mistake]
    folder = _broken(tmp_path, edit)
    assert main(["--fixtures", str(folder), "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"vl-notifications-mock: {folder / file_name}")
    assert entry in err


@pytest.mark.parametrize("mistake", ["unknown user", "not yaml", "unknown member"])
def test_a_bad_fixture_file_through_the_real_cli_exits_2_without_a_traceback(
    tmp_path: Path, mistake: str
) -> None:
    edit, file_name, entry = MISTAKES[mistake]
    folder = _broken(tmp_path, edit)
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "--fixtures", str(folder), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert str(folder / file_name) in done.stderr
    assert entry in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_fixtures_folder_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--fixtures", str(tmp_path / "nowhere"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err == f"vl-notifications-mock: fixtures folder {tmp_path / 'nowhere'} does not exist\n"


def test_a_folder_without_datasets_or_notifications_is_enough(
    tmp_path: Path, app_client: Callable[..., httpx.Client]
) -> None:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    shutil.copy(ROOT / "fixtures" / "users.yaml", folder)
    client = app_client(fixtures_dir=folder)
    assert client.get("/_mock/health").json()["notifications"] == 0
    made = client.post("/_mock/notifications", json={"user": "alice"}).json()
    assert made["dataset_id"] is None
