"""Audience files: one Parquet and one CSV per audience, atomic, deterministic, no stale files."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from parcours.audience_exports import export_audiences

MEMBERS = [
    ("email__champion", "email", "rfm", "champion", "k2", "e2", None),
    ("email__champion", "email", "rfm", "champion", "k1", "e1", None),
    ("sms__champion", "sms", "rfm", "champion", "k1", None, "p1"),
    ("ads__loyal", "ads", "rfm", "loyal", "k3", "e3", "p3"),
]


def _warehouse(path: Path, members: Sequence[tuple[str | None, ...]]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.fct_activation_audiences (audience_name varchar, "
            "activation_channel varchar, segment_type varchar, segment varchar, customer_key varchar, "
            "email_hash varchar, phone_hash varchar)"
        )
        if members:
            connection.executemany(
                "insert into marts.fct_activation_audiences values (?, ?, ?, ?, ?, ?, ?)", members
            )
    return path


def _digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_each_audience_gets_a_parquet_and_a_csv_file_of_its_members(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "audiences"
    export = export_audiences(_warehouse(tmp_path / "w.duckdb", MEMBERS), folder)
    assert export.members == {"ads__loyal": 1, "email__champion": 2, "sms__champion": 1}
    assert sorted(path.name for path in folder.iterdir()) == export.files
    parquet = pq.read_table(folder / "email__champion.parquet").to_pylist()
    assert parquet == [
        {"customer_key": "k1", "email_hash": "e1", "phone_hash": None},
        {"customer_key": "k2", "email_hash": "e2", "phone_hash": None},
    ]
    assert pa_csv.read_csv(folder / "sms__champion.csv").column("phone_hash").to_pylist() == ["p1"]
    assert not list(folder.glob(".*.tmp"))


def test_the_same_mart_gives_byte_identical_files(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", MEMBERS)
    export_audiences(warehouse, tmp_path / "first")
    export_audiences(warehouse, tmp_path / "second")
    shuffled = _warehouse(tmp_path / "shuffled.duckdb", list(reversed(MEMBERS)))
    export_audiences(shuffled, tmp_path / "third")
    assert _digests(tmp_path / "first") == _digests(tmp_path / "second") == _digests(tmp_path / "third")


def test_a_customer_who_withdrew_leaves_the_files_and_an_emptied_audience_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "audiences"
    warehouse = tmp_path / "w.duckdb"
    export_audiences(_warehouse(warehouse, MEMBERS), folder)
    after_withdrawal = [member for member in MEMBERS if member[4] != "k1"]
    export = export_audiences(_warehouse(warehouse, after_withdrawal), folder)
    assert export.removed == ["sms__champion.csv", "sms__champion.parquet"]
    assert sorted(path.name for path in folder.iterdir()) == export.files
    keys = pq.read_table(folder / "email__champion.parquet").column("customer_key").to_pylist()
    assert keys == ["k2"]


def test_audience_names_become_portable_file_names_and_never_escape_the_folder(tmp_path: Path) -> None:
    members = [
        ("../email__x", "email", "rfm", "x", "k1", "e1", None),
        ("email__Île-de-France", "email", "region", "Île-de-France", "k2", "e2", None),
    ]
    folder = tmp_path / "audiences"
    export = export_audiences(_warehouse(tmp_path / "w.duckdb", members), folder)
    assert (
        sorted(path.name for path in folder.iterdir())
        == export.files
        == [
            "email__ile-de-france.csv",
            "email__ile-de-france.parquet",
            "email__x.csv",
            "email__x.parquet",
        ]
    )
    assert not (tmp_path / "email__x.csv").exists()


def test_two_audiences_with_the_same_file_name_are_refused(tmp_path: Path) -> None:
    members = [
        ("email__a b", "email", "rfm", "a b", "k1", "e1", None),
        ("email__a_b", "email", "rfm", "a_b", "k2", "e2", None),
    ]
    with pytest.raises(ValueError, match="same file name"):
        export_audiences(_warehouse(tmp_path / "w.duckdb", members), tmp_path / "audiences")
