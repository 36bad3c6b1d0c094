"""The dbt exposure of the app depends on every mart the app reads (lineage up to the app in Dagster)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MART_NAME = re.compile(r"\b(?:fct|dim|bridge)_[a-z0-9_]+\b")


def _marts() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "dbt_project" / "models" / "marts").rglob("_*.yml"):
        names |= {
            model["name"]
            for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", [])
        }
    return names


def _exposure_refs() -> set[str]:
    exposures = yaml.safe_load(
        (ROOT / "dbt_project" / "models" / "_exposures.yml").read_text(encoding="utf-8")
    )
    app = next(item for item in exposures["exposures"] if item["name"] == "streamlit_app")
    return {re.fullmatch(r"ref\('([a-z0-9_]+)'\)", ref).group(1) for ref in app["depends_on"]}  # type: ignore[union-attr]


def test_the_app_exposure_names_every_mart_the_pages_read() -> None:
    read = set()
    for path in (ROOT / "apps").rglob("*.py"):
        read |= set(MART_NAME.findall(path.read_text(encoding="utf-8")))
    read &= _marts()
    assert read, "no mart name found in apps/"
    assert read == _exposure_refs()


def test_a_snapshot_holds_the_marts_of_the_app_exposure() -> None:
    from orchestration.defs.transformation import app_marts

    assert set(app_marts()) == _exposure_refs()
