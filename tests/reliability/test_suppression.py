"""Point 9, at parse time: a record carrying a suppressed identifier is counted, never kept.

Both parsing paths (Arrow-typed lines and the line-by-line JSON path) and the restricted
dataset's parser quarantine it as ``suppressed`` with no payload; other records are untouched.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.landing import lines_from_texts
from ingestion.pii import hash_email, register_pii_macros
from ingestion.sources.crm.entities import CONTACTS
from ingestion.sources.social.entities import MENTIONS
from ingestion.specs import Entity
from ingestion.suppression import SuppressedIdentifier, add_to_suppression, load_suppression
from ingestion.validation import ParseContext, ParsedChunk, RecordParser
from parcours.paths import DataDir
from tests.ingestion.world import contact, mention

pytestmark = pytest.mark.reliability

KEY = "suppression-test-key"
DAY = datetime(2026, 10, 1, tzinfo=UTC).date()
CONTEXT = ParseContext("_source_file", "some/file.jsonl")


def _hmac(value: str) -> str:
    import duckdb

    with duckdb.connect() as con:
        register_pii_macros(con, KEY)
        return str(con.execute("select pii_hmac(?)", [value]).fetchone()[0])  # type: ignore[index]


def _parse(entity: Entity, texts: list[str], suppressed: set[SuppressedIdentifier]) -> ParsedChunk:
    as_of = datetime(2026, 11, 23, tzinfo=UTC)
    parser = RecordParser(entity, pii_key=KEY, as_of=as_of, suppressed=frozenset(suppressed))
    try:
        return parser.parse(lines_from_texts(texts, 1), CONTEXT)
    finally:
        parser.close()


@pytest.mark.parametrize("json_path", [False, True], ids=["typed_path", "json_path"])
def test_a_contact_with_a_suppressed_email_is_quarantined_without_payload(json_path: bool) -> None:
    erased, kept = contact(1, DAY), contact(2, DAY)
    if json_path:  # a key never seen before sends the whole chunk down the JSON path
        kept["properties"]["favourite_store"] = "L001"
    texts = [json.dumps(erased), json.dumps(kept)]
    suppressed = {SuppressedIdentifier("email_hash", str(hash_email(erased["properties"]["email"], KEY)))}
    chunk = _parse(CONTACTS, texts, suppressed)
    for tables in (chunk.tables, chunk.restricted):  # the raw rows and the restricted copy
        assert tables["contacts"]["contact_id"].to_pylist() == [kept["id"]]
    for quarantine in (chunk.quarantine, chunk.restricted["quarantine"]):
        assert quarantine.num_rows == 1
        assert quarantine["reason_code"][0].as_py() == "suppressed"
        assert quarantine["raw_payload"][0].as_py() is None
    assert chunk.records_read == chunk.records_loaded + chunk.records_quarantined


def test_a_mention_by_a_suppressed_handle_is_quarantined_and_its_children_dropped() -> None:
    erased, kept = mention(1, DAY), mention(2, DAY)
    handle = str(erased["author_handle"]).lower().lstrip("@")
    chunk = _parse(
        MENTIONS,
        [json.dumps(erased), json.dumps(kept)],
        {SuppressedIdentifier("social_handle", _hmac(handle))},
    )
    assert chunk.tables["mentions"]["mention_id"].to_pylist() == [kept["mention_id"]]
    assert set(chunk.tables["mention_topics"]["mention_id"].to_pylist()) <= {kept["mention_id"]}
    assert chunk.quarantine["reason_code"].to_pylist() == ["suppressed"]


def test_without_a_suppression_list_nothing_is_suppressed() -> None:
    chunk = _parse(CONTACTS, [json.dumps(contact(1, DAY))], set())
    assert chunk.records_quarantined == 0


def test_the_list_keeps_hashes_only_and_adds_each_identifier_once(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "home").ensure()
    entry = SuppressedIdentifier("loyalty_card_number", _hmac("2906008293557"))
    assert add_to_suppression(data, [entry, entry], "erasure-1") == 1
    assert add_to_suppression(data, [entry], "erasure-2") == 0
    assert load_suppression(data) == {entry}
    assert b"2906008293557" not in (data.privacy / "suppression_list.jsonl").read_bytes()
