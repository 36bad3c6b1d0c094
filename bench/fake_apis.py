"""A local stand-in for the HubSpot CRM v3 and Square APIs, serving a landing zone page by page.

Used by the API-mode tests (with faults) and by the benchmark's API stage (:mod:`bench.api`, no faults).

It misbehaves on purpose, on a script of request numbers (or of the n-th request of one path): 429
with Retry-After, bursts of 500/503, a page slower than the client's timeout, a body cut short (fewer
bytes than its Content-Length, or no Content-Length and the connection closed mid-JSON), a page whose
next cursor is the cursor it was asked with (paging in a loop), a page that ends paging while more
results exist. Every request needs the bearer token, else 401. It listens on
127.0.0.1 only, answers at most ``max_requests`` requests and stops by itself after ``lifetime``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson

TOKEN = "test-token"


@dataclass
class Faults:
    """Request number (1-based, counting every request) -> what goes wrong."""

    script: dict[int, str] = field(default_factory=dict)  # "429", "500", "503", "slow", FAULTS below
    slow_seconds: float = 1.0
    # (path, n-th request of that path, 1-based) -> what goes wrong
    path_script: dict[tuple[str, int], str] = field(default_factory=dict)
    page_size: int | None = None  # the server's own cap on page sizes (HubSpot and Square have one)


# "truncate": Content-Length of the whole body, half of it sent, connection closed;
# "cut": no Content-Length, half of the body sent, connection closed (a silently short body);
# "loop": the next cursor is the cursor the page was asked with; "short": no next cursor although
# more results exist (HubSpot search still announces its ``total``).
FAULTS = ("truncate", "cut", "loop", "short")


@dataclass(frozen=True, slots=True)
class ServedRecord:
    """One record the server holds: its JSON, serialised once, and the fields it pages on.

    Held as parsed dicts, a 100k-customer world's records took 1.9 GB of the server's memory
    (0.6 GB as JSON), and the 1M benchmark's API stage peaked at 19 GB; pages embed the bytes.
    """

    id: Any
    updated_at: Any  #: HubSpot ``updatedAt`` or Square ``updated_at``
    location_id: Any
    body: bytes

    @classmethod
    def of(cls, record: dict[str, Any]) -> ServedRecord:
        """The record as served (tests change what the API serves through this)."""
        updated_at = record.get("updatedAt", record.get("updated_at", ""))
        # a copy: orjson's own output keeps its buffer's spare room (~8 KB per 1 KB record)
        body = bytes(memoryview(orjson.dumps(record)))
        return cls(record["id"], updated_at, record.get("location_id"), body)

    def parsed(self) -> dict[str, Any]:
        """The record as a dict, parsed again."""
        record: dict[str, Any] = orjson.loads(self.body)
        return record


def _read_jsonl(paths: list[Path]) -> list[ServedRecord]:
    records = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # an API serves JSON: broken lines have no API counterpart
            if isinstance(record, dict) and "id" in record:
                records.append(ServedRecord.of(record))
    return records


def _latest(records: list[ServedRecord]) -> list[ServedRecord]:
    by_id: dict[Any, ServedRecord] = {}
    for record in records:
        kept = by_id.get(record.id)
        if kept is None or str(record.updated_at) >= str(kept.updated_at):
            by_id[record.id] = record
    return sorted(by_id.values(), key=lambda r: str(r.id))


def _bodies(records: list[ServedRecord]) -> list[orjson.Fragment]:
    """The records' JSON, for ``orjson.dumps`` to embed in a page as it is."""
    return [orjson.Fragment(record.body) for record in records]


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class FakeApis:
    """The records served and the request log."""

    def __init__(self, landing: Path, faults: Faults | None = None, catalog_page_size: int = 2) -> None:
        crm = landing / "crm"
        self.objects = {
            "contacts": _latest(_read_jsonl(sorted((crm / "contacts").glob("*.jsonl")))),
            "feedback_submissions": _latest(_read_jsonl(sorted((crm / "feedback").glob("*.jsonl")))),
            "tickets": _latest(_read_jsonl(sorted((crm / "tickets").glob("*.jsonl")))),
        }
        self.orders = _read_jsonl(sorted((landing / "pos/orders").glob("*.jsonl")))
        self.locations = _read_jsonl([landing / "pos/locations.jsonl"])
        self.catalog = _read_jsonl([landing / "pos/catalog.jsonl"])
        self.faults = faults or Faults()
        self.catalog_page_size = catalog_page_size
        self.requests: list[tuple[str, int]] = []  # (path, status)
        self.lock = threading.Lock()
        self._searches: dict[tuple[tuple[str, ...], str | None], list[ServedRecord]] = {}

    def next_fault(self, path: str) -> str | None:
        """What goes wrong with the request about to be answered (counted when it is logged)."""
        with self.lock:
            fault = self.faults.script.get(len(self.requests) + 1)
            if fault is None and self.faults.path_script:  # counting a path's requests scans the whole log
                nth = sum(1 for logged, _ in self.requests if logged == path) + 1
                fault = self.faults.path_script.get((path, nth))
            return fault

    def limit(self, asked: int) -> int:
        """The page size served: what the client asked for, capped by the server's own limit."""
        return min(asked, self.faults.page_size or asked)

    def log(self, path: str, status: int) -> None:
        """Record one answered request."""
        with self.lock:
            self.requests.append((path, status))

    def hubspot_list(self, object_type: str, query: dict[str, list[str]]) -> dict[str, Any]:
        """One page of HubSpot's objects list (``after`` paging)."""
        return self._hubspot_page(
            self.objects[object_type],
            query.get("after", ["0"])[0],
            self.limit(int(query.get("limit", ["100"])[0])),
        )

    def hubspot_search(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        """One page of HubSpot's objects search on ``hs_lastmodifieddate``, with its ``total``."""
        since_ms = int(body["filterGroups"][0]["filters"][0]["value"])
        records = [
            r
            for r in self.objects[object_type]
            if (moment := _moment(r.updated_at)) and moment.timestamp() * 1000 >= since_ms
        ]
        page = self._hubspot_page(records, body.get("after", "0"), self.limit(int(body.get("limit", 100))))
        return {"total": len(records), **page}

    @staticmethod
    def _hubspot_page(records: list[ServedRecord], after: str, limit: int) -> dict[str, Any]:
        start = int(after or 0)
        page: dict[str, Any] = {"results": _bodies(records[start : start + limit])}
        if start + limit < len(records):
            page["paging"] = {"next": {"after": str(start + limit)}}
        return page

    def square_orders(self, body: dict[str, Any]) -> dict[str, Any]:
        """One page of Square's orders search (locations, ``updated_at`` filter, cursor)."""
        wanted = set(body["location_ids"])
        start_at = (
            body["query"].get("filter", {}).get("date_time_filter", {}).get("updated_at", {}).get("start_at")
        )
        since = _moment(start_at) if start_at else None
        query_key = (tuple(sorted(wanted)), start_at)
        if query_key not in self._searches:
            self._searches[query_key] = [
                o
                for o in self.orders
                if o.location_id in wanted
                and (since is None or ((m := _moment(o.updated_at)) is not None and m >= since))
            ]
        records = self._searches[query_key]
        start = int(body.get("cursor") or 0)
        limit = self.limit(int(body.get("limit", 500)))
        page: dict[str, Any] = {"orders": _bodies(records[start : start + limit])}
        if start + limit < len(records):
            page["cursor"] = str(start + limit)
        return page

    def square_catalog(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """One page of Square's catalog list (cursor)."""
        start = int(query.get("cursor", ["0"])[0])
        size = self.catalog_page_size
        page: dict[str, Any] = {"objects": _bodies(self.catalog[start : start + size])}
        if start + size < len(self.catalog):
            page["cursor"] = str(start + size)
        return page


def _handler(apis: FakeApis, keep_alive: bool = False) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        # A body written after its headers must not wait for the client's delayed ACK (40 ms per page)
        disable_nagle_algorithm = keep_alive

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr access log."""

        def do_GET(self) -> None:
            self._serve(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(json.loads(self.rfile.read(length) or b"{}"))

        def _serve(self, body: dict[str, Any] | None) -> None:
            url = urlparse(self.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(
                    url.path, 401, {"status": "error", "message": "Authentication credentials not found"}
                )
            fault = apis.next_fault(url.path)
            if fault == "429":
                return self._send(url.path, 429, {"message": "rate limited"}, {"Retry-After": "1"})
            if fault in ("500", "503"):
                return self._send(url.path, int(fault), {"message": "unavailable"})
            if fault == "slow":
                time.sleep(apis.faults.slow_seconds)
            query = parse_qs(url.query)
            page = self._route(url.path, query, body)
            if fault in ("loop", "short"):
                asked = next(iter(query.get("after") or query.get("cursor") or []), None)
                _misdirect(page, fault, asked or (body or {}).get("after") or (body or {}).get("cursor"))
            self._send(url.path, 200, page, cut=fault if fault in ("truncate", "cut") else None)

        def _route(self, path: str, query: dict[str, list[str]], body: dict[str, Any] | None) -> Any:
            parts = path.strip("/").split("/")
            if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4:
                return apis.hubspot_list(parts[3], query)
            if parts[:3] == ["crm", "v3", "objects"] and parts[-1] == "search":
                return apis.hubspot_search(parts[3], body or {})
            if path == "/v2/locations":
                return {"locations": _bodies(apis.locations)}
            if path == "/v2/catalog/list":
                return apis.square_catalog(query)
            if path == "/v2/orders/search":
                return apis.square_orders(body or {})
            return {"message": f"no route {path}"}

        def _send(
            self,
            path: str,
            status: int,
            payload: Any,
            headers: dict[str, str] | None = None,
            cut: str | None = None,
        ) -> None:
            data = orjson.dumps(payload)
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(name, value)
                if cut != "cut":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if cut else data)
                if cut:
                    self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a slow page
            apis.log(path, status)

    return Handler


def _misdirect(page: dict[str, Any], fault: str, asked: str | None) -> None:
    """Break a page's paging: its next cursor becomes the one it was asked with, or disappears."""
    if fault == "short":
        page.pop("paging", None)
        page.pop("cursor", None)
    elif "paging" in page:
        page["paging"] = {"next": {"after": asked}}
    elif "cursor" in page:
        page["cursor"] = asked


@contextmanager
def serve(
    apis: FakeApis, *, lifetime: float = 120.0, max_requests: int = 5_000, keep_alive: bool = False
) -> Iterator[str]:
    """Run the fake APIs on 127.0.0.1 (random port) and yield the base URL; stop on exit or limits.

    ``keep_alive``: HTTP/1.1 persistent connections, as the real APIs allow (the benchmark); the limits
    then only stop new connections, so the tests keep one connection per request.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(apis, keep_alive))
    server.daemon_threads = True
    deadline = time.monotonic() + lifetime

    def run() -> None:
        while time.monotonic() < deadline and len(apis.requests) < max_requests:
            server.handle_request()

    server.timeout = 0.2
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        deadline = 0.0
        thread.join(timeout=5)
        server.server_close()
