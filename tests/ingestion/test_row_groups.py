"""Rows handed to dlt in whole row groups: nothing lost, reordered or split by schema."""

from __future__ import annotations

import pyarrow as pa

from ingestion.row_groups import RowGroupBatcher


def _table(start: int, count: int) -> pa.Table:
    return pa.table({"n": pa.array(range(start, start + count), pa.int64())})


def test_whole_row_groups_come_out_in_order_and_the_rest_at_the_end() -> None:
    batcher = RowGroupBatcher(rows=4)
    sizes = []
    values: list[int] = []
    for start, count in ((0, 3), (3, 6), (9, 2), (11, 8)):
        for data in batcher.whole("events", _table(start, count)):
            sizes.append(data.num_rows)
            values += data["n"].to_pylist()
    assert sizes == [8, 8]  # 3 + 6 -> 8 (1 held); 1 + 2 held; 3 + 8 -> 8 (3 held)
    held = list(batcher.held())
    assert [(name, data.num_rows) for name, data in held] == [("events", 3)]
    values += held[0][1]["n"].to_pylist()
    assert values == list(range(19))
    assert list(batcher.held()) == []


def test_tables_are_held_apart_and_a_new_schema_flushes_the_old_rows_first() -> None:
    batcher = RowGroupBatcher(rows=4)
    assert list(batcher.whole("events", _table(0, 2))) == []
    assert list(batcher.whole("event_params", _table(100, 1))) == []
    widened = _table(2, 5).append_column("app_version", pa.array(["4.2"] * 5))
    out = list(batcher.whole("events", widened))
    assert [data.column_names for data in out] == [["n"], ["n", "app_version"]]
    assert [data["n"].to_pylist() for data in out] == [[0, 1], [2, 3, 4, 5]]
    assert {name: data["n"].to_pylist() for name, data in batcher.held()} == {
        "event_params": [100],
        "events": [6],
    }
