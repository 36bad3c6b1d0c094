"""Record validation on its own: each defect gets its reason code, nothing is lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from ingestion.landing import lines_from_texts
from ingestion.sources.pos.entities import ORDERS
from ingestion.sources.social.entities import MENTIONS
from ingestion.specs import Entity
from ingestion.validation import LINES_SCHEMA, ParseContext, ParsedChunk, RecordParser
from tests.ingestion.world import mention, order

DAY = datetime(2026, 11, 2, tzinfo=UTC).date()
CONTEXT = ParseContext("_source_file", "social/mentions/mentions_20261102.jsonl")


def _parse(texts: list[str], entity: Entity = MENTIONS) -> ParsedChunk:
    parser = RecordParser(entity, pii_key="k", as_of=datetime(2026, 11, 23, tzinfo=UTC))
    try:
        return parser.parse(lines_from_texts(texts, 1), CONTEXT)
    finally:
        parser.close()


def _reasons(texts: list[str], entity: Entity = MENTIONS) -> list[tuple[int, str]]:
    chunk = _parse(texts, entity)
    return list(
        zip(
            chunk.quarantine["line_number"].to_pylist(),
            chunk.quarantine["reason_code"].to_pylist(),
            strict=True,
        )
    )


def _mention(**changes: object) -> str:
    record = mention(1, DAY)
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"mention_id": "x", "platform"', "broken_json"),
        ("[1, 2, 3]", "broken_json"),
        (json.dumps({k: v for k, v in mention(1, DAY).items() if k != "published_at"}), "missing_key"),
        (_mention(published_at=None), "missing_key"),
        (_mention(likes="41"), "wrong_type"),
        (_mention(likes=4.5), "wrong_type"),
        (_mention(published_at="yesterday"), "wrong_type"),
        (_mention(topics="store"), "wrong_type"),
        (_mention(topics=["store", 3]), "wrong_type"),
        (_mention(likes=-1), "out_of_range"),
        (_mention(published_at="2031-11-02T20:14:00Z"), "future_timestamp"),
    ],
)
def test_each_defect_is_quarantined_with_its_reason_code(text: str, reason: str) -> None:
    assert _reasons([_mention(), text]) == [(2, reason)]


def test_records_read_equal_loaded_plus_quarantined() -> None:
    chunk = _parse([_mention(mention_id=str(i)) for i in range(5)] + ["{", _mention(likes="x")])
    assert (chunk.records_read, chunk.records_loaded, chunk.records_quarantined) == (7, 5, 2)
    assert chunk.tables["mentions"].num_rows == 5
    assert chunk.tables["mention_topics"].num_rows == 10


def test_a_second_record_with_the_same_key_is_quarantined_as_duplicate() -> None:
    assert _reasons([_mention(), _mention(likes=3)]) == [(2, "duplicate")]


def test_a_bad_nested_element_quarantines_its_whole_record_and_children() -> None:
    bad = order(2, DAY, store="L001")
    bad["line_items"][0]["quantity"] = "-1"
    chunk = _parse([json.dumps(order(1, DAY, store="L001")), json.dumps(bad)], ORDERS)
    assert chunk.quarantine["reason_code"].to_pylist() == ["out_of_range"]
    assert chunk.tables["orders"].num_rows == chunk.tables["order_line_items"].num_rows == 1


def test_invalid_utf8_lines_are_quarantined_as_broken_json() -> None:
    lines = pa.table(
        {"line_number": [1, 2], "line": [_mention(), _mention(mention_id="2")], "utf8_ok": [True, False]},
        schema=LINES_SCHEMA,
    )
    parser = RecordParser(MENTIONS, pii_key="k")
    try:
        chunk = parser.parse(lines, CONTEXT)
    finally:
        parser.close()
    assert chunk.quarantine.to_pylist()[0]["reason_detail"] == "invalid UTF-8"
