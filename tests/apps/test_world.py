"""The hand-made world has exactly the columns of the real marts (the dbt models' YAML)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from tests.apps.world import EXTRA_COLUMNS, TABLES

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"


def _documented_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for path in MODELS.rglob("_*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            columns[model["name"]] = [column["name"] for column in model.get("columns", [])]
    return columns


@pytest.mark.parametrize("table", sorted(TABLES))
def test_world_table_has_the_columns_of_the_real_mart(table: str) -> None:
    documented = _documented_columns()
    assert table in documented, f"{table} is no mart of dbt_project/models/marts"
    sql = TABLES[table].replace("{c1_email_hash}", "0" * 64)
    if table in EXTRA_COLUMNS:
        sql = f"select base.*, {EXTRA_COLUMNS[table]} from ({sql}) as base"
    with duckdb.connect() as connection:
        built = [row[0] for row in connection.execute(f"describe {sql}").fetchall()]
    assert sorted(built) == sorted(documented[table])
