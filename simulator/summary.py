"""What a simulation run produced, and its progress bar."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@dataclass(frozen=True)
class SimulationSummary:
    """Counts of records written per file kind, malformed lines and elapsed time."""

    customers: int
    days: int
    first_day_index: int
    records_per_kind: dict[str, int] = field(default_factory=dict)
    malformed_records: int = 0
    elapsed_seconds: float = 0.0

    @property
    def total_records(self) -> int:
        """Records written in this run, all kinds together."""
        return sum(self.records_per_kind.values())

    def render(self) -> str:
        """A short plain-text report: one line per file kind, then totals and elapsed time."""
        width = max((len(kind) for kind in self.records_per_kind), default=10)
        lines = [
            f"Simulated {self.customers:,} people over {self.days} day(s) "
            f"(days {self.first_day_index}-{self.first_day_index + self.days - 1}).",
        ]
        lines += [f"  {kind:<{width}}  {count:>12,}" for kind, count in sorted(self.records_per_kind.items())]
        lines.append(f"  {'total':<{width}}  {self.total_records:>12,}")
        lines.append(f"  {'malformed':<{width}}  {self.malformed_records:>12,}")
        lines.append(f"Elapsed: {self.elapsed_seconds:.1f} s")
        return "\n".join(lines)


def day_progress(enabled: bool) -> Progress:
    """A progress bar on stderr, shown only when enabled and stderr is a terminal."""
    return Progress(
        TextColumn("Simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not (enabled and sys.stderr.isatty()),
        transient=True,
    )
