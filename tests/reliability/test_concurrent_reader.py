"""Point 4: a reader of the app's KPIs every 100 ms during a full run never fails nor mixes snapshots.

The reader is a separate process doing what the app does (``apps/data.py``: resolve the pointer,
open the snapshot file read-only, query). During the second build the previous snapshot is
already published, so the reader sees the old one, then the new one, never a mix.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import Build, Builds

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _assert_clean(build: Build) -> None:
    assert build.summary.success and build.summary.published, build.summary.render()
    errors = [read["error"] for read in build.reads if not read["ok"]]
    assert not errors, errors[:5]
    served = [read for read in build.reads if read["snapshot"] is not None]
    assert all(read["consistent"] for read in served), "a read saw table counts of another snapshot"


def test_reads_during_a_first_run_never_fail(builds: Builds) -> None:
    _assert_clean(builds.first)
    assert len(builds.first.reads) >= 10
    assert builds.first.reads[0]["snapshot"] is None  # nothing published yet: the app says so


def test_reads_during_a_run_see_the_old_then_the_new_snapshot_whole(builds: Builds) -> None:
    _assert_clean(builds.second)
    seen = [read["snapshot"] for read in builds.second.reads]
    assert None not in seen, "the previous snapshot must stay served during the run"
    order = list(dict.fromkeys(seen))
    assert len(order) == 2, order
    assert order[-1] == builds.second.summary.snapshot.file if builds.second.summary.snapshot else False
    switch = seen.index(order[1])
    assert all(snapshot == order[1] for snapshot in seen[switch:]), "a read went back to the old snapshot"
    old_kpis = {str(read["kpis"]) for read in builds.second.reads[:switch]}
    assert len(old_kpis) == 1, "reads of one snapshot must give one answer"
