from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

from parcours.cli import app
from simulator.noise import DEFECT_RECIPES, present_path
from tests.simulator.conftest import SimulatedWorld, run_world

GA4_KEYS = [
    "event_date",
    "event_timestamp",
    "event_name",
    "event_previous_timestamp",
    "event_value_in_usd",
    "event_bundle_sequence_id",
    "batch_event_index",
    "batch_page_id",
    "batch_ordering_id",
    "event_params",
    "user_id",
    "user_pseudo_id",
    "user_first_touch_timestamp",
    "user_properties",
    "privacy_info",
    "device",
    "geo",
    "traffic_source",
    "collected_traffic_source",
    "stream_id",
    "platform",
    "ecommerce",
    "items",
]
VALUE_KEYS = {"string_value": str, "int_value": int, "float_value": float, "double_value": float}
NESTED_KEYS = {
    "privacy_info": {"analytics_storage", "ads_storage", "uses_transient_token"},
    "device": {
        "category",
        "mobile_brand_name",
        "operating_system",
        "browser",
        "language",
        "is_limited_ad_tracking",
    },
    "geo": {"continent", "country", "region", "city"},
    "traffic_source": {"name", "medium", "source"},
}
ECOMMERCE_KEYS = {
    "transaction_id",
    "purchase_revenue",
    "total_item_quantity",
    "shipping_value",
    "tax_value",
    "unique_items",
}
ITEM_KEYS = {"item_id", "item_name", "item_category", "price", "quantity", "item_revenue"}
RECORD_FOLDERS = {
    "contact": "crm/contacts",
    "email_event": "crm/email_events",
    "feedback": "crm/feedback",
    "ticket": "crm/tickets",
    "ga4_event": "ga4",
    "pos_order": "pos/orders",
    "mention": "social/mentions",
}


def malformed_lines(world: SimulatedWorld) -> dict[str, set[int]]:
    lines: dict[str, set[int]] = defaultdict(set)
    for row in pq.read_table(world.truth / "malformed.parquet").to_pylist():
        lines[row["file"]].add(row["line"])
    return lines


def clean_records(world: SimulatedWorld, folder: str) -> list[dict[str, Any]]:
    bad = malformed_lines(world)
    records = []
    for path in sorted((world.landing / folder).glob("*.jsonl")):
        relative = str(path.relative_to(world.landing))
        with path.open(encoding="utf-8") as handle:
            records += [
                json.loads(line) for number, line in enumerate(handle, 1) if number not in bad[relative]
            ]
    return records


def record_id(record_type: str, record: dict[str, Any]) -> str:
    if record_type == "ga4_event":
        keys = ("user_pseudo_id", "event_timestamp", "event_name", "batch_event_index")
        return "|".join(str(record[key]) for key in keys)
    return str(record.get("mention_id") or record["id"])


def test_ga4_rows_have_the_export_keys_and_nested_shapes(small_world: SimulatedWorld) -> None:
    events = clean_records(small_world, "ga4")
    assert len(events) > 1000
    for event in events:
        assert list(event) == GA4_KEYS
        for param in event["event_params"]:
            assert set(param) == {"key", "value"}
            assert set(param["value"]) == set(VALUE_KEYS)
            typed = [(k, v) for k, v in param["value"].items() if v is not None]
            assert len(typed) == 1 and isinstance(typed[0][1], VALUE_KEYS[typed[0][0]])
        for key, expected in NESTED_KEYS.items():
            assert set(event[key]) == expected
        assert event["ecommerce"] is None or set(event["ecommerce"]) == ECOMMERCE_KEYS
        assert all(set(item) == ITEM_KEYS for item in event["items"])
        assert (event["user_id"] is None) or event["privacy_info"]["analytics_storage"] == "Yes"
    names = {event["event_name"] for event in events}
    assert {
        "session_start",
        "page_view",
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "purchase",
        "login",
        "sign_up",
        "store_locator",
    } <= names


def test_ga4_day_files_hold_only_events_of_their_day_including_late_ones(small_world: SimulatedWorld) -> None:
    bad = malformed_lines(small_world)
    files = sorted((small_world.landing / "ga4").glob("*.jsonl"))
    for number, path in enumerate(files):
        relative = str(path.relative_to(small_world.landing))
        with path.open(encoding="utf-8") as handle:
            events = [
                json.loads(line) for line_no, line in enumerate(handle, 1) if line_no not in bad[relative]
            ]
        assert {event["event_date"] for event in events} == {path.stem.removeprefix("events_")}
        timestamps = [event["event_timestamp"] for event in events]
        late_events_arrived = number < len(files) - 1  # the last day has had no later day yet
        assert (timestamps != sorted(timestamps)) == late_events_arrived


def test_analytics_refusers_get_one_pseudo_id_per_session_and_no_user_id(small_world: SimulatedWorld) -> None:
    refused = [e for e in clean_records(small_world, "ga4") if e["privacy_info"]["analytics_storage"] == "No"]
    assert refused
    assert all(e["user_id"] is None for e in refused)
    sessions_per_cookie: dict[str, set[int]] = defaultdict(set)
    for event in refused:
        session = next(p["value"]["int_value"] for p in event["event_params"] if p["key"] == "ga_session_id")
        sessions_per_cookie[event["user_pseudo_id"]].add(session)
    assert all(len(sessions) == 1 for sessions in sessions_per_cookie.values())


def test_every_identifier_maps_to_exactly_one_person(small_world: SimulatedWorld) -> None:
    path = small_world.truth / "identifiers.parquet"
    counts = duckdb.execute(
        "SELECT identifier_type, identifier_value, count(DISTINCT person_id) AS n, "
        f"count(person_id) AS known FROM '{path}' GROUP BY ALL"
    ).fetchall()
    assert counts
    assert all(n == 1 for _, _, n, _ in counts)
    assert {row[0] for row in counts} == {
        "crm_contact_id",
        "email",
        "phone",
        "loyalty_card_number",
        "ga4_user_id",
        "ga4_user_pseudo_id",
        "social_handle",
    }


def test_every_truth_record_is_found_in_the_landing_files(small_world: SimulatedWorld) -> None:
    truth = pq.read_table(small_world.truth / "records.parquet").to_pylist()
    by_type: dict[str, set[str]] = defaultdict(set)
    for row in truth:
        by_type[row["record_type"]].add(row["record_id"])
    bad = malformed_lines(small_world)
    for record_type, folder in RECORD_FOLDERS.items():
        found = {record_id(record_type, r) for r in clean_records(small_world, folder)}
        malformed_in_folder = sum(len(lines) for file, lines in bad.items() if file.startswith(folder + "/"))
        assert found <= by_type[record_type], record_type
        assert len(by_type[record_type] - found) <= malformed_in_folder, record_type
    assert sum(1 for row in truth if row["person_id"] is None) > 0  # bots, training tills, public authors


def test_malformed_rate_matches_the_configuration(small_world: SimulatedWorld) -> None:
    malformed = pq.read_table(small_world.truth / "malformed.parquet").num_rows
    daily_lines = sum(
        count for kind, count in small_world.summary.records_per_kind.items() if not kind.endswith(".jsonl")
    )
    assert (
        abs(malformed / daily_lines - small_world.config.malformed_rate)
        < 0.3 * small_world.config.malformed_rate
    )


def test_each_listed_malformed_line_is_really_defective(small_world: SimulatedWorld) -> None:
    rows = pq.read_table(small_world.truth / "malformed.parquet").to_pylist()
    assert {row["defect"] for row in rows} == {
        "broken_json",
        "wrong_type",
        "missing_key",
        "negative_quantity",
        "future_timestamp",
    }
    lines_cache: dict[str, list[str]] = {}
    for row in rows:
        lines = lines_cache.setdefault(
            row["file"], (small_world.landing / row["file"]).read_text().splitlines()
        )
        assert_defective(lines[row["line"] - 1], row["file"], row["defect"])


def assert_defective(line: str, file: str, defect: str) -> None:
    if defect == "broken_json":
        try:
            json.loads(line)
        except json.JSONDecodeError:
            return
        raise AssertionError(f"{file}: line is valid JSON")
    record = json.loads(line)
    recipe = DEFECT_RECIPES[record_type_of(file)]
    if defect == "missing_key":
        assert lookup(record, recipe.required_key) is MISSING
    elif defect == "wrong_type":
        value = lookup(record, recipe.wrong_type_key)
        assert not isinstance(value, int) or (isinstance(value, bool) and recipe.wrong_type_key != "archived")
        assert value is not MISSING and not (recipe.wrong_type_key == "archived" and isinstance(value, bool))
    elif defect == "negative_quantity":
        assert int(lookup(record, present_path(record, recipe.quantity_keys))) < 0
    elif defect == "future_timestamp":
        file_day = date(int(file[-14:-10]), int(file[-10:-8]), int(file[-8:-6]))
        value = lookup(record, recipe.timestamp_key)
        year = (
            int(str(value)[:4])
            if isinstance(value, str)
            else date.fromtimestamp(value / (1e6 if recipe.timestamp_unit == "us" else 1e3)).year
        )
        assert year >= (file_day + timedelta(days=365)).year


MISSING = object()


def lookup(record: Any, path: str) -> Any:
    node = record
    for key in path.split("."):
        try:
            node = node[int(key)] if key.isdigit() else node[key]
        except (KeyError, IndexError):
            return MISSING
    return node


def record_type_of(file: str) -> str:
    folder = file.rsplit("/", 1)[0]
    return {
        "crm/contacts": "contact",
        "crm/email_events": "email_event",
        "crm/feedback": "feedback",
        "crm/tickets": "ticket",
        "ga4": "ga4_event",
        "pos/orders": "pos_order",
        "social/mentions": "mention",
        "social/posts": "post",
    }[folder]


def test_cli_simulate_writes_landing_zone_and_truth(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["simulate", "--customers", "500", "--days", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "ga4" in result.output and "Elapsed" in result.output
    assert len(list((tmp_path / "landing" / "ga4").glob("events_*.jsonl"))) == 3
    assert (tmp_path / "truth" / "records.parquet").exists()
    assert (tmp_path / "truth" / "channel_effects.json").exists()


def test_stage_history_uses_documented_stages_for_known_people(small_world: SimulatedWorld) -> None:
    history = pq.read_table(small_world.truth / "stage_history.parquet").to_pylist()
    assert {row["funnel_stage"] for row in history} <= {
        "awareness",
        "consideration",
        "conversion",
        "loyalty",
        "advocacy",
        "lapsed",
    }
    assert {row["buying_cycle"] for row in history} <= {
        "visitor",
        "cold_prospect",
        "warm_prospect",
        "customer",
        "ambassador",
    }
    assert max(row["person_id"] for row in history) < small_world.config.customers


def test_world_with_no_malformed_rate_has_only_valid_json(tmp_path: Path) -> None:
    world = run_world(tmp_path, customers=300, days=2, malformed_rate=0.0)
    assert pq.read_table(world.truth / "malformed.parquet").num_rows == 0
    for path in world.landing.rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            json.loads(line)
