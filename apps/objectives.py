"""Headline KPI definitions and objectives, read from ``apps/objectives.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

OBJECTIVES_FILE = Path(__file__).with_name("objectives.yml")
AGGREGATIONS = ("sum", "ratio", "last", "mean")
FORMATS = ("count", "money", "rate", "score")
OBJECTIVE_KINDS = ("at_least", "at_most", "growth")

TOLERANCE = 1e-9  # 12 / 10 - 1 is 0.19999999999999996 in floating point

Status = Literal["met", "missed", "unknown"]


@dataclass(frozen=True)
class Objective:
    """What a KPI is measured against."""

    kind: str
    target: float
    note: str = ""

    def status(self, value: float | None, previous: float | None) -> Status:
        """Whether ``value`` (and its change from ``previous``) meets the objective."""
        if value is None:
            return "unknown"
        if self.kind == "at_least":
            return "met" if value >= self.target else "missed"
        if self.kind == "at_most":
            return "met" if value <= self.target else "missed"
        if previous is None or previous == 0:
            return "unknown"
        return "met" if value / previous - 1 >= self.target - TOLERANCE else "missed"

    def describe(self, fmt: Any) -> str:
        """The objective in words, values formatted with ``fmt``."""
        if self.kind == "growth":
            return f"{self.target:+.0%} vs previous period"
        sign = "≥" if self.kind == "at_least" else "≤"
        return f"{sign} {fmt(self.target)}"


@dataclass(frozen=True)
class Kpi:
    """One headline KPI of fct_kpi_daily."""

    name: str
    label: str
    aggregation: str
    format: str
    help: str = ""
    objective: Objective | None = None


def load_kpis(path: Path = OBJECTIVES_FILE) -> list[Kpi]:
    """The KPIs of the objectives file, in file order; raises ValueError on an invalid entry."""
    payload = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [_kpi(name, spec) for name, spec in (payload.get("kpis") or {}).items()]


def _kpi(name: str, spec: dict[str, Any]) -> Kpi:
    aggregation = spec.get("aggregation", "sum")
    fmt = spec.get("format", "count")
    if aggregation not in AGGREGATIONS or fmt not in FORMATS:
        raise ValueError(f"KPI {name}: aggregation must be one of {AGGREGATIONS}, format one of {FORMATS}")
    objective = None
    if spec.get("objective"):
        raw = spec["objective"]
        if raw.get("kind") not in OBJECTIVE_KINDS:
            raise ValueError(f"KPI {name}: objective kind must be one of {OBJECTIVE_KINDS}")
        objective = Objective(kind=raw["kind"], target=float(raw["target"]), note=str(raw.get("note", "")))
    return Kpi(
        name=name,
        label=str(spec.get("label", name)),
        aggregation=aggregation,
        format=fmt,
        help=str(spec.get("help", "")),
        objective=objective,
    )
