"""API bodies decoded once, records kept as the JSON bytes the API sent (ingestion.http)."""

from __future__ import annotations

import msgspec
import orjson
import pytest
from requests import Response

from ingestion.http import decode_body, incomplete_json, json_decoder, record_json
from ingestion.landing import lines_from_json

BODY = b'{"results":[{"id":"1","n":1.50,"s":"caf\\u00e9"},{"id":"2"}],"paging":{"next":{"after":"2"}}}'


def _response(body: bytes) -> Response:
    response = Response()
    response.status_code = 200
    response._content = body
    return response


def test_page_records_stay_the_json_bytes_sent_and_the_other_members_are_decoded() -> None:
    document = decode_body(BODY, "results")
    assert document["paging"] == {"next": {"after": "2"}}
    assert [bytes(record) for record in document["results"]] == [
        b'{"id":"1","n":1.50,"s":"caf\\u00e9"}',
        b'{"id":"2"}',
    ]
    assert record_json(document["results"]) is document["results"]


def test_a_body_without_a_records_array_is_decoded_in_full() -> None:
    assert decode_body(b'{"results":null,"total":0}', "results") == {"results": None, "total": 0}
    assert decode_body(b"[1, 2]", "results") == [1, 2]
    assert record_json([{"id": "3"}]) == [orjson.dumps({"id": "3"})]


@pytest.mark.parametrize("body", [BODY[: len(BODY) // 2], BODY[:-1], BODY + b"x", b""])
def test_a_body_that_is_not_complete_json_is_left_to_be_fetched_again(body: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, orjson.JSONDecodeError)):
        decode_body(body, "results")
    response = json_decoder("results")(_response(body))
    assert incomplete_json(response, None)


def test_a_decoded_body_is_not_parsed_again_by_the_retry_predicate() -> None:
    response = json_decoder("results")(_response(BODY))
    assert not incomplete_json(response, None)
    assert response.json()["paging"]["next"]["after"] == "2"


def test_api_records_become_numbered_lines_and_invalid_utf8_is_flagged_per_record() -> None:
    records = decode_body(b'{"results":[{"id":"a"},{"id":"\xff"},{"id":"\xc3\xa9"}]}', "results")["results"]
    lines = lines_from_json(records, 7)
    assert lines["line_number"].to_pylist() == [7, 8, 9]
    assert lines["utf8_ok"].to_pylist() == [True, False, True]
    assert lines["line"].to_pylist()[0] == '{"id":"a"}'
    assert lines["line"].to_pylist()[2] == '{"id":"é"}'
    assert lines_from_json([], 1).num_rows == 0
