"""The incremental facts equal a full refresh after several daily increments.

A small simulated world arrives day by day, as a production pipeline sees it: the first days
at once, then one simulated day per increment. Each simulated day also appends GA4 events that
arrived late to the files of up to three days before (GA4's late-data policy), so every
increment re-reads rewritten GA4 files. One store uploads its POS file late: the file of
``LATE_POS_DAY`` lands only with the last increment, after the files of the days that follow
it, and older than the POS late-data look-back of the incremental models. With the last
increment, a visitor whose only session lies on the day before it turns into a bot: a burst of
late page views lands in that day's GA4 file, so the session is a bot's and the visitor has no
touchpoint any more, though the previous run stored some.

After every arrival the real ingestion runs and dbt builds the incremental models; after the
last one dbt runs once more with nothing new landed, then their tables are copied, then
rebuilt with ``--full-refresh`` on the same raw data, and must hold exactly the same rows.
Tables that reuse their previous build as a cache (``CACHED_TABLES``) are rebuilt whole each
run, so a full refresh would still read the cache: they are dropped before it and built from
scratch.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult

from parcours.paths import HOME_ENV_VAR, DataDir
from tests.dbt.dbt_cli import invoke_dbt

START = date(2026, 10, 1)
FIRST_DAYS = 4  # days 0-3 arrive at once, then one day per increment
INCREMENTS = 3  # days 4, 5 and 6
LATE_POS_DAY = 2  # its POS file lands with day 6, after the files of days 3, 4 and 5
BOT_DAY = 5  # a visitor of this day turns into a bot with day 6
BOT_PAGE_VIEWS_PER_MINUTE = 60  # the burst's rate over the session: twice ga4_bot_min_page_views_per_minute
SNAPSHOT_SCHEMA = "incremental_snapshot"
# The incremental models compared, and the dbt selection that builds them with everything upstream.
# Tables materialised whole that read their previous build as a cache of costly results.
CACHED_TABLES = ("int_text__scores",)
FACTS = ("stg_ga4__events", "int_web__sessionized_events", "fct_sessions", "fct_touchpoints", *CACHED_TABLES)
SELECTION = [*(f"+{fact}" for fact in FACTS), "int_web__late_events_quarantined"]


@dataclass(frozen=True)
class IncrementalModel:
    """An incremental fact of the project and where it lives."""

    name: str
    relation: str


@dataclass(frozen=True)
class Arrival:
    """What one pipeline run found: the GA4 files rewritten with late events, the models' sizes."""

    newest_day: int
    rewritten_ga4_files: int
    rows: dict[str, int]
    late_events_quarantined: int


def _pos_file(landing: Path, day: int) -> Path:
    return landing / "pos" / "orders" / f"orders_{(START + timedelta(days=day)):%Y%m%d}.jsonl"


def _simulate(world: Path, first_day: int, days: int) -> None:
    from simulator import SimulationConfig, simulate_world

    config = SimulationConfig(
        customers=300, days=days, first_day_index=first_day, seed=7, start_date=START, malformed_rate=0.001
    )
    simulate_world(config, landing_dir=world / "landing", truth_dir=world / "truth")


def _land(world_landing: Path, landing: Path, *, hold_late_pos: bool) -> int:
    """Copy the world's new and rewritten files into the landing zone; the GA4 files rewritten."""
    rewritten = 0
    for source in sorted(world_landing.rglob("*.jsonl")):
        target = landing / source.relative_to(world_landing)
        if hold_late_pos and source == _pos_file(world_landing, LATE_POS_DAY):
            continue
        if target.exists() and target.read_bytes() == source.read_bytes():
            continue
        rewritten += target.exists() and source.parent.name == "ga4"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return rewritten


def _turn_a_visitor_into_a_bot(landing: Path, day: int) -> str:
    """Append a burst of page views to the session of a visitor seen only in one session of ``day``.

    The visitor is the first such cookie by id; the burst repeats its first event as page views
    microseconds apart, inside the session, as many as make the session a bot's. Returns the cookie.
    """
    ga4 = landing / "ga4"
    day_file = ga4 / f"events_{(START + timedelta(days=day)):%Y%m%d}.jsonl"
    events: dict[str, list[dict[str, Any]]] = {}
    elsewhere: set[str] = set()
    for path in sorted(ga4.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
                cookie = event["user_pseudo_id"]
            except (ValueError, KeyError, TypeError):
                continue  # the simulator's malformed lines
            if path == day_file:
                events.setdefault(cookie, []).append(event)
            else:
                elsewhere.add(cookie)
    cookie = min(
        cookie
        for cookie, seen in events.items()
        if cookie not in elsewhere and len({_session_id(event) for event in seen}) == 1
    )
    first = min(events[cookie], key=lambda event: event["event_timestamp"])
    last = max(event["event_timestamp"] for event in events[cookie])
    minutes = max(last - first["event_timestamp"], 10_000_000) / 60_000_000  # fct_sessions: 10 s at least
    burst = [
        {
            **first,
            "event_name": "page_view",
            "event_timestamp": first["event_timestamp"] + n,
            "batch_event_index": 10_000 + n,
        }
        for n in range(1, int(minutes * BOT_PAGE_VIEWS_PER_MINUTE) + 2)
    ]
    with day_file.open("a", encoding="utf-8") as file:
        file.writelines(json.dumps(event) + "\n" for event in burst)
    return cookie


def _session_id(event: dict[str, Any]) -> object:
    return next(
        (
            param["value"]["int_value"]
            for param in event.get("event_params") or []
            if param["key"] == "ga_session_id"
        ),
        None,
    )


def _touchpoints_of(warehouse: Path, relation: str, cookie: str) -> int:
    return _count(warehouse, f"{relation} where record_source = 'ga4' and record_id = '{cookie}'")


def _dbt(args: list[str], target: Path) -> dbtRunnerResult:
    result = invoke_dbt(args, target)
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception}"
    return result


def _incremental_models(target: Path) -> list[IncrementalModel]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        (
            IncrementalModel(node["name"], f"{node['schema']}.{node['alias']}")
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["name"] in FACTS
            and (node["config"].get("materialized") == "incremental" or node["name"] in CACHED_TABLES)
            and node["config"].get("enabled", True)
        ),
        key=lambda model: model.name,
    )


def _query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse)) as connection:
        return connection.execute(sql).fetchall()


def _count(warehouse: Path, relation: str) -> int:
    return int(_query(warehouse, f"select count(*) from {relation}")[0][0])


def _rows_only_in(warehouse: Path, relation: str, other: str) -> int:
    """Rows of ``relation`` that ``other`` lacks, duplicates counted."""
    return _count(warehouse, f"(select * from {relation} except all select * from {other}) as only_here")


def _execute(warehouse: Path, statements: list[str]) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        for statement in statements:
            connection.execute(statement)


def _late_pos_touchpoints(warehouse: Path, relation: str) -> int:
    day = START + timedelta(days=LATE_POS_DAY)
    return _count(warehouse, f"{relation} where record_source = 'pos' and source_date = date '{day}'")


@dataclass(frozen=True)
class Builds:
    """The warehouse after the last increment, snapshotted, then rebuilt from scratch."""

    warehouse: Path
    models: list[IncrementalModel]
    arrivals: list[Arrival]
    late_pos_orders: int
    bot_cookie: str
    bot_touchpoints_before: int  # the bot's touchpoints stored by the run before it turned bot


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    from ingestion.pipelines import run_ingestion

    root = tmp_path_factory.mktemp("incremental_equals_full")
    data_dir = DataDir(root / "data").ensure()
    world, target = root / "world", root / "target"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV_VAR, str(data_dir.root))
        patch.delenv("PARCOURS_WAREHOUSE", raising=False)
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("PARCOURS_DUCKDB_MEMORY_LIMIT", "1GB")

        arrivals: list[Arrival] = []
        models: list[IncrementalModel] = []
        bot_cookie, bot_touchpoints_before = "", 0
        schedule = [(0, FIRST_DAYS)] + [(FIRST_DAYS + step, 1) for step in range(INCREMENTS)]
        for first_day, days in schedule:
            newest_day = first_day + days - 1
            _simulate(world, first_day, days)
            last = newest_day == FIRST_DAYS + INCREMENTS - 1
            rewritten = _land(world / "landing", data_dir.landing, hold_late_pos=not last)
            if last:
                bot_cookie = _turn_a_visitor_into_a_bot(data_dir.landing, BOT_DAY)
                bot_touchpoints_before = _touchpoints_of(
                    data_dir.warehouse, "marts.fct_touchpoints", bot_cookie
                )
            run_ingestion(data_dir)
            if not arrivals:
                _dbt(["seed"], target)
            _dbt(["run", "--select", *SELECTION], target)
            models = models or _incremental_models(target)
            rows = {model.name: _count(data_dir.warehouse, model.relation) for model in models}
            late = _count(data_dir.warehouse, "intermediate.int_web__late_events_quarantined")
            arrivals.append(Arrival(newest_day, rewritten, rows, late))

        # a rerun with nothing new landed (a retry, a second run of the day): the web models
        # re-read no GA4 day, and the results must still equal a full refresh
        _dbt(["run", "--select", *SELECTION], target)

        late_pos_orders = _count(
            data_dir.warehouse,
            f"raw_pos.orders where _source_file like '%{_pos_file(Path(), LATE_POS_DAY).name}'",
        )
        statements = [f"create schema if not exists {SNAPSHOT_SCHEMA}"]
        statements += [
            f"create or replace table {SNAPSHOT_SCHEMA}.{model.name} as select * from {model.relation}"
            for model in models
        ]
        statements += [f"drop table {model.relation}" for model in models if model.name in CACHED_TABLES]
        _execute(data_dir.warehouse, statements)

        _dbt(["run", "--full-refresh", "--select", *SELECTION], target)
        yield Builds(
            data_dir.warehouse, models, arrivals, late_pos_orders, bot_cookie, bot_touchpoints_before
        )


@pytest.mark.timeout(600)
def test_every_increment_rewrites_ga4_files_and_the_late_pos_file_lands_last(builds: Builds) -> None:
    names = {model.name for model in builds.models}
    assert set(FACTS) == names
    increments = builds.arrivals[1:]
    assert len(increments) == INCREMENTS
    assert all(arrival.rewritten_ga4_files > 0 for arrival in increments), builds.arrivals
    assert builds.late_pos_orders > 0


@pytest.mark.timeout(600)
def test_late_events_within_the_ga4_policy_are_never_quarantined(builds: Builds) -> None:
    assert [arrival.late_events_quarantined for arrival in builds.arrivals] == [0] * len(builds.arrivals)


@pytest.mark.timeout(600)
def test_every_increment_grows_every_incremental_model(builds: Builds) -> None:
    for model in builds.models:
        sizes = [arrival.rows[model.name] for arrival in builds.arrivals]
        assert sizes == sorted(set(sizes)), f"{model.name} did not grow at every increment: {sizes}"


@pytest.mark.timeout(600)
def test_a_pos_file_landing_after_later_days_reaches_the_touchpoints(builds: Builds) -> None:
    incremental = _late_pos_touchpoints(builds.warehouse, f"{SNAPSHOT_SCHEMA}.fct_touchpoints")
    full = _late_pos_touchpoints(builds.warehouse, "marts.fct_touchpoints")
    assert full > 0
    assert incremental == full


@pytest.mark.timeout(600)
def test_incremental_models_equal_a_full_refresh_on_the_same_data(builds: Builds) -> None:
    differences = {}
    for model in builds.models:
        snapshot = f"{SNAPSHOT_SCHEMA}.{model.name}"
        only_incremental = _rows_only_in(builds.warehouse, snapshot, model.relation)
        only_full = _rows_only_in(builds.warehouse, model.relation, snapshot)
        if only_incremental or only_full:
            differences[model.name] = (only_incremental, only_full)
    assert differences == {}


@pytest.mark.timeout(600)
def test_a_visitor_turned_bot_keeps_no_touchpoint(builds: Builds) -> None:
    """Its only session is a bot's now: the touchpoints the run before stored are gone."""
    sessions = _query(
        builds.warehouse,
        "select count(*), bool_and(is_bot) from marts.fct_sessions "
        f"where user_pseudo_id = '{builds.bot_cookie}'",
    )
    assert sessions == [(1, True)]
    assert builds.bot_touchpoints_before > 0
    assert _touchpoints_of(builds.warehouse, f"{SNAPSHOT_SCHEMA}.fct_touchpoints", builds.bot_cookie) == 0
    assert _touchpoints_of(builds.warehouse, "marts.fct_touchpoints", builds.bot_cookie) == 0
