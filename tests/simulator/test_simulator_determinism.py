from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from tests.simulator.conftest import run_world


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = run_world(tmp_path / "a", customers=500, days=3)
    second = run_world(tmp_path / "b", customers=500, days=3)
    assert file_hashes(first.landing) == file_hashes(second.landing)
    assert file_hashes(first.truth) == file_hashes(second.truth)


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    first = run_world(tmp_path / "a", customers=500, days=2)
    other = run_world(tmp_path / "b", customers=500, days=2, seed=8)
    first_hashes, other_hashes = file_hashes(first.landing), file_hashes(other.landing)
    daily = [name for name in first_hashes if name.startswith(("ga4/", "pos/orders/", "crm/contacts/"))]
    assert daily
    assert all(first_hashes[name] != other_hashes[name] for name in daily)


def test_continuing_a_world_writes_only_the_new_day_and_rewrites_three_previous_ga4_days(
    tmp_path: Path,
) -> None:
    world = run_world(tmp_path / "continued", days=4)
    before = file_hashes(world.landing)
    continued = run_world(tmp_path / "continued", days=1, first_day_index=4)
    after = file_hashes(continued.landing)

    new_files = set(after) - set(before)
    changed = {name for name in before if before[name] != after[name]}
    assert new_files == {
        "crm/contacts/contacts_20261005.jsonl",
        "crm/email_events/email_events_20261005.jsonl",
        "crm/feedback/feedback_20261005.jsonl",
        "crm/tickets/tickets_20261005.jsonl",
        "ga4/events_20261005.jsonl",
        "pos/orders/orders_20261005.jsonl",
        "social/mentions/mentions_20261005.jsonl",
        "social/posts/posts_20261005.jsonl",
    }
    assert changed == {"ga4/events_20261002.jsonl", "ga4/events_20261003.jsonl", "ga4/events_20261004.jsonl"}


def test_continued_world_equals_a_world_simulated_in_one_run(tmp_path: Path) -> None:
    run_world(tmp_path / "split", days=3)
    split = run_world(tmp_path / "split", days=2, first_day_index=3)
    whole = run_world(tmp_path / "whole", days=5)
    assert file_hashes(split.landing) == file_hashes(whole.landing)
    for name in ("records", "identifiers", "stage_history", "malformed", "shared_identifiers", "persons"):
        assert pq.read_table(split.truth / f"{name}.parquet").equals(
            pq.read_table(whole.truth / f"{name}.parquet")
        )
