"""Run-wide settings: the in-process executor.

Dagster's default multiprocess executor starts a Python process per step (a
10-step chain took 49 s against 5.3 s in process, see STACK_NOTES); our steps are
few and heavy, so they run in one process.
"""

import dagster as dg

defs = dg.Definitions(executor=dg.in_process_executor)
