"""The pipeline writes audience files of consenting customers only; a withdrawal acts on the next run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.defs.activation import AUDIENCE_FILES_KEY, AUDIENCES_FOLDER
from orchestration.run import run_pipeline
from parcours.audience_exports import export_audiences
from parcours.paths import DataDir
from tests.orchestration.conftest import simulate_small_world

pytestmark = pytest.mark.slow

CONSENT_OF_CHANNEL = {"email": "consent_email", "sms": "consent_sms", "ads": "consent_ads"}


def _exported_members(data: DataDir) -> dict[str, set[str]]:
    folder = data.exports / AUDIENCES_FOLDER
    return {
        path.stem: set(pq.read_table(path).column("customer_key").to_pylist())
        for path in sorted(folder.glob("*.parquet"))
    }


def _digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def _consenting(data: DataDir, channel: str) -> set[str]:
    with duckdb.connect(str(data.warehouse), read_only=True) as connection:
        rows = connection.execute(
            f"select customer_key from marts.dim_customers where {CONSENT_OF_CHANNEL[channel]}"
        ).fetchall()
    return {row[0] for row in rows}


def _withdraw_email_consent(data: DataDir, customer_key: str) -> None:
    """What the CRM sends when a customer unsubscribes: the contact's e-mail consent denied."""
    with duckdb.connect(str(data.warehouse)) as connection:
        connection.execute(
            """
            update raw_crm.contacts
            set consent_email = 'denied', consent_email_updated_at = updated_at + interval 1 hour,
                updated_at = updated_at + interval 1 hour
            where contact_id in (
                select record_id from intermediate.int_identity__record_customers
                where source = 'crm' and record_type = 'contact' and customer_key = ?
            )
            """,
            [customer_key],
        )


def test_audience_files_hold_only_consenting_customers_and_follow_withdrawals(data_dir: DataDir) -> None:
    simulate_small_world(data_dir)
    first = run_pipeline()
    assert first.success, first.render()
    members = _exported_members(data_dir)
    assert members, "no audience was exported"
    folder = data_dir.exports / AUDIENCES_FOLDER
    for audience, customers in members.items():
        channel = audience.split("__", 1)[0]
        assert customers <= _consenting(data_dir, channel), audience
        assert (folder / f"{audience}.csv").exists()
    again = data_dir.tmp / "audiences-again"
    export_audiences(data_dir.warehouse, again)
    assert _digests(again) == _digests(folder), "the same warehouse gave different files"

    email_audience = next(name for name in sorted(members) if name.startswith("email__"))
    leaving = sorted(members[email_audience])[0]
    _withdraw_email_consent(data_dir, leaving)
    second = run_pipeline()
    assert second.success, second.render()
    after = _exported_members(data_dir)
    assert all(leaving not in customers for name, customers in after.items() if name.startswith("email__"))


def test_the_audience_files_asset_sits_downstream_of_the_audiences_mart() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assert graph.get(AUDIENCE_FILES_KEY).parent_keys == {dg.AssetKey(["fct_activation_audiences"])}
