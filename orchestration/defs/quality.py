"""Great Expectations suites as Dagster asset checks.

Each suite is a file in ``orchestration/expectations/`` written by hand in Great
Expectations' own JSON format, with a ``meta`` block naming the asset it guards,
whether a failure blocks the publish, and (for raw tables) that only the rows of
the latest load are validated. Great Expectations' SQL data source does not work
on DuckDB here (see STACK_NOTES), so the table is read from DuckDB as a pandas
frame with only the columns the suite needs.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from orchestration.environment import data_dir
from parcours import engine

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"


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


def read_frame(suite: SuiteFile, warehouse: Path) -> pd.DataFrame:
    """The rows the suite validates: the latest load of a raw table, or the whole mart."""
    columns = ", ".join(f'"{column}"' for column in suite.columns) or "*"
    where = ""
    if suite.latest_load_only:
        where = f" where _dlt_load_id = (select max(_dlt_load_id) from {suite.relation})"
    with engine.connect(warehouse, read_only=True) as connection:
        return connection.execute(f"select {columns} from {suite.relation}{where}").fetchdf()


def validate(suite: SuiteFile, frame: pd.DataFrame) -> tuple[bool, dict[str, Any]]:
    """Run the suite on the frame; return success and per-expectation results."""
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
    result = definition.run(batch_parameters={"dataframe": frame})
    details = {
        _describe(item.expectation_config): {
            "passed": bool(item.success),
            "unexpected": int(item.result.get("unexpected_count") or 0),
        }
        for item in result.results
    }
    return bool(result.success), details


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
        frame = read_frame(suite, data_dir().warehouse)
        passed, details = validate(suite, frame)
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
            metadata={"rows_validated": len(frame), "expectations": dg.MetadataValue.json(details)},
        )

    return _check


def expectation_checks() -> Iterator[dg.AssetChecksDefinition]:
    """One asset check per suite file."""
    for suite in load_suites():
        yield _make_check(suite)


defs = dg.Definitions(asset_checks=list(expectation_checks()))
