"""Rows handed to dlt in whole row groups, so that the warehouse stores them without cutting.

dlt writes every Arrow table a resource yields into the load package's parquet file as row groups of
its own. DuckDB stores a table in row groups of 122,880 rows: it inserts a parquet row group of that
size (or a multiple) as it is, and any other size as partial row groups it then merges, compressing
their columns again. On a 100k-customer world's GA4 ingestion (1.75M events, 8.9M parameters) dlt's
load step took 9.6-10.2 s instead of 12.2-12.6 s, and the peak memory 1.65 GB instead of 2.0 GB
(``ingestion/README.md``, "Session 24"). Other destinations read full row groups at least as well.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

ROW_GROUP_ROWS = 122_880  # DuckDB's row group size


class RowGroupBatcher:
    """Holds back each table's rows beyond its last whole row group until more rows come.

    The rows come out in the order they went in; :meth:`held` gives what is left at the end of a run.
    """

    def __init__(self, rows: int | None = None) -> None:
        self.rows = rows or ROW_GROUP_ROWS
        self._held: dict[str, pa.Table] = {}

    def whole(self, table: str, data: pa.Table) -> Iterator[pa.Table]:
        """The rows held for ``table`` and ``data``'s, as far as they fill whole row groups.

        Held rows of another schema (a column added by schema drift since) come out first, alone.
        """
        held = self._held.pop(table, None)
        if held is not None:
            if held.schema.equals(data.schema):
                data = pa.concat_tables([held, data])
            else:
                yield held
        whole = data.num_rows - data.num_rows % self.rows
        if whole:
            yield data.slice(0, whole)
        if whole < data.num_rows:
            rest = data.slice(whole)
            # a copy, so that the few rows held do not keep the whole chunk's buffers alive
            self._held[table] = rest.take(pa.array(range(rest.num_rows), pa.int64()))

    def held(self) -> Iterator[tuple[str, pa.Table]]:
        """Every table's rows still held (fewer than a row group each), and forget them."""
        held, self._held = self._held, {}
        yield from held.items()
