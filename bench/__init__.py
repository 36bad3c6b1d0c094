"""The benchmark behind ``parcours bench``: a simulated world through every stage of the pipeline."""

from bench.report import REQUIRED_KEYS, record
from bench.runner import BenchConfig, BenchRun, run_benchmark

__all__ = ["REQUIRED_KEYS", "BenchConfig", "BenchRun", "record", "run_benchmark"]
