"""API-mode ingestion throughput: a world's CRM objects and POS orders served over HTTP on 127.0.0.1.

The server is the test suite's stand-in for HubSpot CRM v3 and Square (:mod:`bench.fake_apis`),
without faults, run in its own process so that serving does not compete with the client for the
interpreter lock. The client is the real API mode with its own page sizes (the real APIs' maxima:
HubSpot objects list 100, Square orders search 500): ``crm_source`` / ``pos_source`` with
``mode="api"``, each through ``run_pipeline`` into a scratch warehouse then its restricted pipeline
(the clear values its parse handed over: no second call to the API), side by side as
``run_ingestion`` runs sources (:func:`ingestion.pipelines.run_concurrently`).

Run on its own: ``python -m bench.api <data dir with a landing zone> [--scratch DIR]``.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.measure import StageResult, timed
from parcours.paths import DataDir

CATALOG_PAGE_SIZE = 100  # Square's list catalog page (the tests' server pages 2 items, to exercise paging)
PII_KEY = "bench-only-pii-key-not-a-secret"
SERVER_LIFETIME_S = 3600.0


def _serve_forever(landing: str, ready: Any, stop: Any) -> None:
    """Child process: serve ``landing`` until ``stop`` is set; report the base URL on ``ready``."""
    from bench.fake_apis import FakeApis, serve

    apis = FakeApis(Path(landing), catalog_page_size=CATALOG_PAGE_SIZE)
    with serve(apis, lifetime=SERVER_LIFETIME_S, max_requests=sys.maxsize, keep_alive=True) as base_url:
        ready.put(base_url)
        stop.wait()


@contextmanager
def fake_api_server(landing: Path) -> Iterator[str]:
    """The fake HubSpot + Square APIs over ``landing`` in a child process; yields the base URL."""
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    stop = context.Event()
    process = context.Process(target=_serve_forever, args=(str(landing), ready, stop), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=300)
    finally:
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


def ingest_api(world: DataDir, scratch: DataDir) -> StageResult:
    """Load the world's CRM objects and POS orders through API mode; rows = records read."""
    from bench.fake_apis import TOKEN
    from ingestion.pipelines import (
        RESTRICTED_SOURCES,
        SOURCE_PIPELINES,
        TableReconciliation,
        make_pipeline,
        run_concurrently,
        run_pipeline,
    )
    from ingestion.sources.crm import crm_source
    from ingestion.sources.pos import pos_source

    def ingest(name: str, make_source: Any, base_url: str) -> list[TableReconciliation]:
        source = make_source(pii_key=PII_KEY, mode="api", api_base_url=base_url, api_token=TOKEN)
        lines = run_pipeline(make_pipeline(name, scratch), source)[1]
        for restricted in SOURCE_PIPELINES[name][1:]:  # after the raw pipeline, as run_ingestion runs them
            run_pipeline(make_pipeline(restricted, scratch), RESTRICTED_SOURCES[restricted]())
        return lines

    factories = (("crm", crm_source), ("pos", pos_source))
    cpu_started = time.process_time()
    with (
        fake_api_server(world.landing) as base_url,
        timed("api ingest: crm + pos", counted=False) as stage,
    ):  # the server has read the world before it answers: its start is not timed
        tasks = [functools.partial(ingest, name, make, base_url) for name, make in factories]
        lines = [line for lines in run_concurrently(tasks) for line in lines]
    stage.rows = sum(line.records_read for line in lines)
    stage.ok = all(line.balanced for line in lines)
    stage.detail = {f"{line.dataset}.{line.table}": line.records_read for line in lines}
    stage.detail["client_cpu_s"] = round(time.process_time() - cpu_started, 3)
    return stage


def main() -> None:
    """Measure API-mode records per second on a world already simulated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("world", type=Path, help="data directory holding a simulated landing zone")
    parser.add_argument("--scratch", type=Path, help="where to load (default: a temporary directory)")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="parcours-api-bench-"))
    shutil.rmtree(scratch, ignore_errors=True)
    stage = ingest_api(DataDir(args.world), DataDir(scratch))
    cpu = float(str(stage.detail["client_cpu_s"]))
    print(
        f"{stage.rows:,} records in {stage.seconds:.2f} s: {stage.rows_per_s or 0:,.0f} records/s; "
        f"client CPU {cpu:.2f} s: {stage.rows / cpu if cpu else 0:,.0f} records per CPU second"
    )
    print(stage.detail)


if __name__ == "__main__":
    main()
