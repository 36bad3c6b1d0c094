"""Great Expectations suites as Dagster asset checks.

Each suite is a file in ``orchestration/expectations/`` written by hand in Great
Expectations' own JSON format, with a ``meta`` block naming the asset it guards,
whether a failure blocks the publish, and (for raw tables) that only the rows of
the latest load are validated. Great Expectations' SQL data source does not work
on DuckDB here (see STACK_NOTES), so the table is read from DuckDB as pandas
frames with only the columns the suite needs.

A large relation is validated in batches of about :data:`BATCH_ROWS` rows, so memory stays
bounded (one frame of 17.5M GA4 events and Great Expectations' copies of it took 9.5 GB).
Rows are split by a hash of the suite's unique column, so any two rows sharing a key meet
in one batch and the uniqueness expectation sees them; the batches' results are summed.
"""

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from orchestration.environment import data_dir
from parcours import engine

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"
#: Rows per validated frame (Great Expectations holds several copies of a frame's columns).
BATCH_ROWS = 1_000_000


@dataclass(frozen=True)
class SuiteFile:
    """A suite as written in the project, plus where it applies."""

    name: str
    asset_key: dg.AssetKey
    relation: str
    blocking: bool
    latest_load_only: bool
    payload: dict[str, Any]

    @property
    def columns(self) -> list[str]:
        """Every column an expectation of the suite reads."""
        names: set[str] = set()
        for expectation in self.payload["expectations"]:
            kwargs = expectation["kwargs"]
            names.update(kwargs.get("column_list", []))
            for key in ("column", "column_A", "column_B"):
                if key in kwargs:
                    names.add(kwargs[key])
        return sorted(names)

    @property
    def unique_columns(self) -> list[str]:
        """The columns of the suite's uniqueness expectations."""
        return [
            expectation["kwargs"]["column"]
            for expectation in self.payload["expectations"]
            if expectation["type"] == "expect_column_values_to_be_unique"
        ]


def load_suites(folder: Path = EXPECTATIONS_DIR) -> list[SuiteFile]:
    """Every suite file of the project, sorted by name."""
    suites = []
    for path in sorted(folder.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        meta = payload["meta"]
        suites.append(
            SuiteFile(
                name=payload["name"],
                asset_key=dg.AssetKey(meta["asset_key"]),
                relation=meta["relation"],
                blocking=bool(meta.get("blocking", False)),
                latest_load_only=bool(meta.get("latest_load_only", False)),
                payload=payload,
            )
        )
    return suites


def read_frames(suite: SuiteFile, warehouse: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The rows the suite validates (the latest load of a raw table, or the whole mart), in batches.

    Each batch holds the rows whose hash of the unique column (of every column the suite reads,
    when it has none) falls in its share: a key's rows are never split between batches.
    """
    if len(suite.unique_columns) > 1:
        raise ValueError(f"suite {suite.name}: at most one uniqueness expectation can be batched")
    columns = ", ".join(f'"{column}"' for column in suite.columns) or "*"
    where = "true"
    if suite.latest_load_only:
        where = f"_dlt_load_id = (select max(_dlt_load_id) from {suite.relation})"
    hashed = ", ".join(f'"{column}"' for column in suite.unique_columns or suite.columns)
    with engine.connect(warehouse, read_only=True) as connection:
        rows = connection.execute(f"select count(*) from {suite.relation} where {where}").fetchone()
        batches = max(1, math.ceil((rows[0] if rows else 0) / batch_rows))
        for batch in range(batches):
            share = f"hash({hashed}) % {batches} = {batch}" if batches > 1 else "true"
            yield connection.execute(
                f"select {columns} from {suite.relation} where {where} and {share}"
            ).fetchdf()


def validate(suite: SuiteFile, frames: Iterable[pd.DataFrame]) -> tuple[bool, dict[str, Any], int]:
    """Run the suite on every frame; return success, per-expectation results and rows validated.

    An expectation passes when it passes on every frame; one with ``mostly`` is judged on the
    unexpected share of all frames together (Great Expectations' own rule, over the sums).
    """
    import great_expectations as gx  # imported here: it takes seconds and only checks need it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("rows")
    )
    expectations = [
        {"type": item["type"], "kwargs": item["kwargs"], "meta": item.get("meta", {})}
        for item in suite.payload["expectations"]
    ]
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name}_validation", data=batch, suite=gx_suite)
    )
    tallies: dict[str, _Tally] = {}
    rows = 0
    for frame in frames:
        rows += len(frame)
        for item in definition.run(batch_parameters={"dataframe": frame}).results:
            config: Any = item.expectation_config  # set on every result of a suite's run
            tally = tallies.setdefault(_describe(config), _Tally(config.kwargs.get("mostly")))
            tally.add(bool(item.success), item.result)
    details = {
        name: {"passed": tally.passed, "unexpected": tally.unexpected} for name, tally in tallies.items()
    }
    return all(tally.passed for tally in tallies.values()), details, rows


class _Tally:
    """One expectation's results summed over the frames of a relation."""

    def __init__(self, mostly: float | None) -> None:
        self.mostly = mostly
        self.every_frame_passed = True
        self.unexpected = 0
        self.judged = 0  # non-missing values, the base of ``mostly``

    def add(self, success: bool, result: dict[str, Any]) -> None:
        """Add one frame's result."""
        self.every_frame_passed &= success
        self.unexpected += int(result.get("unexpected_count") or 0)
        self.judged += int(result.get("element_count") or 0) - int(result.get("missing_count") or 0)

    @property
    def passed(self) -> bool:
        """Passed on every frame, or, with ``mostly``, on the share of all frames together."""
        if self.mostly is None or not self.judged:
            return self.every_frame_passed
        return 1 - self.unexpected / self.judged >= self.mostly


def _describe(config: Any) -> str:
    column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", []))
    return f"{config.type}({column})"


def _make_check(suite: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.asset_key,
        name=f"expectations_{suite.name}",
        blocking=suite.blocking,
        description=suite.payload["meta"].get("description", f"Great Expectations suite {suite.name}."),
    )
    def _check() -> dg.AssetCheckResult:
        passed, details, rows = validate(suite, read_frames(suite, data_dir().warehouse))
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
            metadata={"rows_validated": rows, "expectations": dg.MetadataValue.json(details)},
        )

    return _check


def expectation_checks() -> Iterator[dg.AssetChecksDefinition]:
    """One asset check per suite file."""
    for suite in load_suites():
        yield _make_check(suite)


defs = dg.Definitions(asset_checks=list(expectation_checks()))
