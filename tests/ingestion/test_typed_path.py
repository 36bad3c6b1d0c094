"""The Arrow typed path gives exactly what the line-by-line JSON path gives, bad lines included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest.mock import patch

import pyarrow as pa
import pytest

from ingestion import arrow_decode
from ingestion.landing import lines_from_texts
from ingestion.sources.crm.entities import CONTACTS
from ingestion.sources.ga4.entities import EVENTS
from ingestion.specs import Entity
from ingestion.validation import ParseContext, ParsedChunk, RecordParser
from tests.ingestion.world import START, contact, ga4_event

CONTEXT = ParseContext("_source_file", f"ga4/events_{START.strftime('%Y%m%d')}.jsonl", START)


def _ga4_lines() -> list[str]:
    events = [ga4_event(n, START, user=n % 7) for n in range(1, 120)]
    events[3]["event_timestamp"] = str(events[3]["event_timestamp"])  # wrong type
    events[10]["event_params"][0]["value"]["int_value"] = 4.5  # wrong type in a nested element
    del events[20]["event_name"]  # missing key
    events[30]["event_date"] = "20991231"  # out of range for its file
    events[40] = events[39]  # duplicate
    lines = [json.dumps(e) for e in events]
    lines[50] = lines[50][:-5]  # broken JSON
    lines[60] = "[1, 2]"  # not an object
    lines[70] = lines[70] + lines[71]  # two records on one line
    return lines


def _contact_lines() -> list[str]:
    contacts = [contact(n, START) for n in range(1, 40)]
    contacts[5]["properties"]["email"] = 5  # wrong type of a personal field
    return [json.dumps(c) for c in contacts]


def _parse(entity: Entity, texts: list[str], *, typed: bool) -> ParsedChunk:
    parser = RecordParser(entity, pii_key="k", as_of=datetime(2026, 11, 23, tzinfo=UTC))
    try:
        if typed:
            return parser.parse(lines_from_texts(texts, 1), CONTEXT)
        with patch("ingestion.validation.decode_lines", return_value=None):
            return parser.parse(lines_from_texts(texts, 1), CONTEXT)
    finally:
        parser.close()


def _sorted(table: pa.Table) -> list[dict[str, object]]:
    return sorted(table.to_pylist(), key=lambda row: json.dumps(row, sort_keys=True, default=str))


@pytest.mark.parametrize(("entity", "texts"), [(EVENTS, _ga4_lines()), (CONTACTS, _contact_lines())])
def test_typed_and_json_paths_give_identical_tables_and_quarantine(entity: Entity, texts: list[str]) -> None:
    typed, json_path = _parse(entity, texts, typed=True), _parse(entity, texts, typed=False)
    assert typed.quarantine.num_rows >= 1
    assert typed.quarantine.to_pylist() == json_path.quarantine.to_pylist()
    assert typed.tables.keys() == json_path.tables.keys()
    for name, table in typed.tables.items():
        assert table.schema == json_path.tables[name].schema, name
        assert _sorted(table) == _sorted(json_path.tables[name]), name


def test_a_truncated_line_is_set_aside_before_arrow_parses_its_block() -> None:
    events = [json.dumps(ga4_event(n, START, user=n % 7)) for n in range(1, 40)]
    truncated = events[5][:-5]
    spaced = events[7] + " \t\r"  # a whole object followed by JSON whitespace: still decoded
    texts = [*events[:5], truncated, events[6], spaced, *events[8:]]
    read_by_arrow: list[str] = []
    real_read = arrow_decode._read

    def recording_read(lines: pa.Array, schema: pa.Schema) -> pa.Table | int | None:
        read_by_arrow.extend(lines.to_pylist())
        return real_read(lines, schema)

    with patch("ingestion.arrow_decode._read", side_effect=recording_read):
        decoded = arrow_decode.decode_lines(lines_from_texts(texts, 1), arrow_decode.arrow_schema(EVENTS))
    assert decoded is not None
    assert decoded.rest["line"].to_pylist() == [truncated]
    assert truncated not in read_by_arrow
    assert decoded.typed["line_number"].to_pylist() == [n for n in range(1, len(texts) + 1) if n != 6]
