"""Data access: queries follow the published pointer, on one read-only instance per snapshot file."""

from __future__ import annotations

import duckdb
import pytest

from apps import data
from parcours import engine
from parcours.paths import DataDir
from tests.apps.world import publish_world

RECONCILED = "select sum(records_read)::bigint as n from fct_source_reconciliation"
LIMIT = "select current_setting('memory_limit') as limit"


def test_each_publish_is_read_from_its_own_file_and_only_the_previous_one_stays_open(
    data_dir: DataDir,
) -> None:
    files = []
    for run in ("run-1", "run-2", "run-3"):
        snapshot = publish_world(data_dir, tables=["fct_source_reconciliation"], run_id=run)
        files.append(str(snapshot.path(data_dir.serving)))
        assert int(data.query(RECONCILED)["n"].iloc[0]) == 9
        assert list(data._DATABASES)[-1] == files[-1]
    assert files[0] not in data._DATABASES  # closed: two publishes behind
    # The previous snapshot's instance still answers a query that started before the publish.
    with data._DATABASES[files[1]].cursor() as cursor:
        assert cursor.execute(RECONCILED).fetchone() == (9,)


def test_snapshot_instances_are_read_only(data_dir: DataDir) -> None:
    snapshot = publish_world(data_dir, tables=["fct_source_reconciliation"])
    data.query(RECONCILED)
    with (
        data._DATABASES[str(snapshot.path(data_dir.serving))].cursor() as cursor,
        pytest.raises(duckdb.InvalidInputException, match="read-only"),
    ):
        cursor.execute("delete from fct_source_reconciliation")


def test_snapshot_instances_honour_the_duckdb_memory_limit_variable(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV_VAR, "100MB")
    publish_world(data_dir, tables=["fct_source_reconciliation"], run_id="limited")
    assert data.query(LIMIT)["limit"].iloc[0] == "95.3 MiB"  # 100MB (decimal) in binary units
    monkeypatch.delenv(engine.MEMORY_LIMIT_ENV_VAR)
    publish_world(data_dir, tables=["fct_source_reconciliation"], run_id="default")
    assert data.query(LIMIT)["limit"].iloc[0] == "1.8 GiB"  # the app's own default, 2GB
