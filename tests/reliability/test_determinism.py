"""Point 8: two runs of the whole pipeline on the same input give identical tables.

Every table of ``intermediate`` and ``marts`` is hashed (order-independent hash of every row) in two
data directories built from the same landing zone. Columns recording *when* the run happened are
left out, and listed here: they hold the wall clock, not data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import Builds, query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

# Columns holding the time of the run (dlt load ids, dbt run start), never derived from the data,
# and reconciliation_id, a hash of the load id.
RUN_TIME_COLUMNS = frozenset(
    {
        "registered_at",
        "merged_at",
        "assigned_at",
        "customer_key_assigned_at",
        "load_id",
        "loaded_at",
        "_dlt_load_id",
        "reconciliation_id",
    }
)
SCHEMAS = ("intermediate", "marts")


def _table_hashes(warehouse: Path) -> dict[str, tuple[int, str]]:
    tables = query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' order by all",
        [list(SCHEMAS)],
    )
    hashes = {}
    for schema, table in tables:
        columns = [
            name
            for (name,) in query(
                warehouse,
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            )
            if name not in RUN_TIME_COLUMNS
        ]
        row = ", ".join(f'"{c}"' for c in columns)
        count, digest = query(
            warehouse,
            f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) "
            f'from (select md5(cast(row({row}) as varchar)) as h from "{schema}"."{table}")',
        )[0]
        hashes[f"{schema}.{table}"] = (int(count), str(digest))
    return hashes


def test_two_runs_on_the_same_input_give_identical_table_hashes(builds: Builds) -> None:
    first = _table_hashes(builds.first.data.warehouse)
    second = _table_hashes(builds.second.data.warehouse)
    assert set(first) == set(second)
    assert len([name for name in first if name.startswith("marts.")]) >= 5
    assert sum(count for count, _ in first.values()) > 1000
    differing = sorted(name for name in first if first[name] != second[name])
    assert not differing, differing


def test_customer_keys_are_identical_across_runs(builds: Builds) -> None:
    sql = (
        "select source, record_type, record_id, customer_key "
        "from intermediate.int_identity__record_customers "
        "order by all"
    )
    first = query(builds.first.data.warehouse, sql)
    assert sum(1 for *_, key in first if key is not None) > 100
    assert first == query(builds.second.data.warehouse, sql)
