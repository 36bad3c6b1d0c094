"""Stage timing: wall seconds, rows, rows per second and peak memory of the process tree.

Peak memory is the highest resident set size (RSS) of this process plus all its
descendants (dbt subprocesses, DuckDB threads are in-process), sampled by a
background thread every :data:`SAMPLE_SECONDS`. Sampling misses spikes shorter
than the interval, so the figure is a lower bound of the true peak. ``psutil``
is used when installed; otherwise ``/proc`` is read (Linux).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 0.05
PROC_RESCAN_SECONDS = 0.25  #: without psutil: how often the process tree is looked for again
MB = 1024 * 1024

Echo = Callable[[str], None]  #: where the benchmark's progress lines go
PROC = Path("/proc")


@dataclass
class StageResult:
    """One timed stage: what ran, how long, how many rows, how much memory."""

    name: str
    seconds: float = 0.0
    rows: int = 0
    peak_rss_mb: float = 0.0
    counted: bool = True  #: part of the build's total (simulate and reference reads are not)
    ok: bool = True
    detail: dict[str, object] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float | None:
        """Rows per wall second, or None when the stage handled no rows."""
        if not self.rows or self.seconds <= 0:
            return None
        return self.rows / self.seconds

    def progress_line(self) -> str:
        """One line saying how the stage went, as the benchmark prints it."""
        rate = f", {self.rows_per_s:,.0f} rows/s" if self.rows_per_s else ""
        flag = "" if self.ok else "  [NOT OK]"
        return (
            f"    {self.seconds:8.2f} s  {self.rows:>12,} rows{rate}  peak {self.peak_rss_mb:,.0f} MB{flag}"
        )

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> StageResult:
        """The stage :meth:`as_dict` wrote (its derived ``rows_per_s`` left out)."""
        return cls(**{key: value for key, value in fields.items() if key != "rows_per_s"})

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields, rounded for reading."""
        rate = self.rows_per_s
        return {
            "name": self.name,
            "seconds": round(self.seconds, 3),
            "rows": self.rows,
            "rows_per_s": round(rate, 1) if rate is not None else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "counted": self.counted,
            "ok": self.ok,
            "detail": self.detail,
        }


def _psutil_tree_rss(pid: int) -> int:
    import psutil

    root = psutil.Process(pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _proc_parents() -> dict[int, int]:
    """pid -> parent pid of every live process, from ``/proc/<pid>/stat``."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _proc_rss(pid: int) -> int:
    try:
        resident_pages = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def _proc_tree(pid: int) -> set[int]:
    """``pid`` and its descendants, from one scan of ``/proc``."""
    parents = _proc_parents()
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


class _ProcTreeRss:
    """RSS of a process tree from ``/proc``; the tree is found again at most every ``rescan`` seconds.

    Scanning every ``/proc/<pid>/stat`` costs ~2 ms of Python holding the GIL; done at every sample
    (every 50 ms) it took ~4 % of a core from the stage it measured. Between scans only the known
    members' ``statm`` are read, so a child is seen within ``rescan`` seconds of its start.
    """

    def __init__(self, rescan: float = PROC_RESCAN_SECONDS) -> None:
        self.rescan = rescan
        self._tree: set[int] = set()
        self._root = -1
        self._scanned_at = float("-inf")

    def __call__(self, pid: int) -> int:
        """The RSS in bytes of ``pid`` and its descendants."""
        now = time.monotonic()
        if pid != self._root or now - self._scanned_at >= self.rescan:
            self._tree, self._root, self._scanned_at = _proc_tree(pid), pid, now
        return sum(_proc_rss(member) for member in self._tree)


def tree_rss_reader() -> Callable[[int], int]:
    """The function that returns the RSS in bytes of a process and its descendants."""
    try:
        import psutil  # noqa: F401
    except ImportError:
        return _ProcTreeRss()
    return _psutil_tree_rss


class PeakMemorySampler:
    """Samples the RSS of a process tree in a background thread and keeps the peak."""

    def __init__(self, pid: int | None = None, interval: float = SAMPLE_SECONDS) -> None:
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak_bytes = 0
        self._read = tree_rss_reader()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss-sampler", daemon=True)

    def _sample(self) -> None:
        self.peak_bytes = max(self.peak_bytes, self._read(self.pid))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> PeakMemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_mb(self) -> float:
        """The highest RSS seen so far, in MiB."""
        return self.peak_bytes / MB


@contextmanager
def timed(name: str, *, counted: bool = True) -> Iterator[StageResult]:
    """Time the ``with`` block and sample its peak tree memory; the block sets ``rows`` and ``detail``."""
    result = StageResult(name=name, counted=counted)
    with PeakMemorySampler() as sampler:
        started = time.perf_counter()
        try:
            yield result
        finally:
            result.seconds = time.perf_counter() - started
    result.peak_rss_mb = sampler.peak_mb
