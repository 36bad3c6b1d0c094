"""Point 8: two runs of the whole pipeline on the same input give identical tables.

Every table of ``intermediate`` and ``marts`` is hashed (order-independent hash of every row) in two
data directories built from the same landing zone. Columns recording *when* the run happened are
left out, and listed in ``conftest.RUN_TIME_COLUMNS``: they hold the wall clock, not data.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import Builds, query, table_hashes

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SCHEMAS = ("intermediate", "marts")


def test_two_runs_on_the_same_input_give_identical_table_hashes(builds: Builds) -> None:
    first = table_hashes(builds.first.data.warehouse, SCHEMAS)
    second = table_hashes(builds.second.data.warehouse, SCHEMAS)
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
