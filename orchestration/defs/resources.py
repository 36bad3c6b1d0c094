"""Run-wide settings: the in-process executor, and the backfill window every run carries.

Executor. Dagster's default multiprocess executor starts a Python process per step
(a 10-step chain took 49 s against 5.3 s in process, see STACK_NOTES), and each child
re-imports the definitions (about 7 s here). Our steps are few and heavy (one per dlt
pipeline, one ``dbt build``, the checks, the publish), so they run in one process:
the overhead left is what ``parcours bench`` reports as ``orchestration_overhead_share``.

Backfill. The ``backfill`` resource is empty in an ordinary run; set its ``from_date``
(and ``to_date``) in the launchpad, or run ``parcours run --from ... --to ...``, to
re-read and rebuild a range of landing days (see ``orchestration/backfill.py``).
"""

import dagster as dg

from orchestration.backfill import BackfillWindow

defs = dg.Definitions(
    executor=dg.in_process_executor,
    resources={"backfill": BackfillWindow.configure_at_launch()},
)
