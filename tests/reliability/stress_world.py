"""Hand-written landing lines on top of a small simulated world: bad inputs and identity stress.

Records are written in the shapes of docs/landing_zone.md, starting from a valid record of the
simulated world (so every field the spec needs is there) and changing what the case is about.
Every line written is remembered with what a correct pipeline must do with it: ``loaded``, or
quarantined with a reason code.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOADED = "loaded"
HUB_EMAIL = "accueil@magasin-parcours.example"
HUB_EMAIL_RECORDS = 5_000
TEST_ACCOUNT = "QA-LOAD-TEST-1"
TEST_ACCOUNT_SESSIONS = 2_000
CHAIN_CONTACTS = 25  # 25 contacts and 25 orders, linked one after the other by 50 identifiers
HOUSEHOLD = ("HH-PARENT", "HH-CHILD")
HOUSEHOLD_COOKIE = "4242424242.1790838353"
DUPLICATE_CONTACT = "DUP-0001"


@dataclass
class Line:
    """One written line and its expected outcome."""

    file: str
    line_number: int
    expected: str  # LOADED or a reason code
    record_id: str | None = None


@dataclass
class StressWorld:
    """What was appended to the landing zone."""

    lines: list[Line] = field(default_factory=list)
    chain_contacts: list[str] = field(default_factory=list)
    hub_contacts: list[str] = field(default_factory=list)
    test_account_cookies: list[str] = field(default_factory=list)

    def rejected_ids(self) -> list[str]:
        """Ids of the records that must be quarantined."""
        return [line.record_id for line in self.lines if line.expected != LOADED and line.record_id]


def _template(landing: Path, pattern: str, accept: Any = None) -> tuple[str, dict[str, Any]]:
    """The first file (in name order) matching ``pattern`` with a valid record, and that record."""
    for path in sorted(landing.glob(pattern)):
        for text in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(text)
            except ValueError:
                continue
            if isinstance(record, dict) and (accept is None or accept(record)):
                return path.relative_to(landing).as_posix(), record
    raise AssertionError(f"no usable template record in {landing / pattern}")


class _Appender:
    def __init__(self, world: StressWorld, landing: Path, relative: str) -> None:
        self.world, self.path, self.relative = world, landing / relative, relative
        text = self.path.read_text(encoding="utf-8")
        self.count = len(text.splitlines())
        self.new: list[str] = [] if text.endswith("\n") or not text else ["\n"]

    def add(self, line: str, expected: str, record_id: str | None = None) -> None:
        self.count += 1
        self.new.append(line + "\n")
        self.world.lines.append(Line(self.relative, self.count, expected, record_id))

    def record(self, record: dict[str, Any], expected: str = LOADED, record_id: str | None = None) -> None:
        self.add(json.dumps(record, ensure_ascii=False), expected, record_id)

    def close(self) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(self.new))


def _contact(template: dict[str, Any], contact_id: str, **properties: Any) -> dict[str, Any]:
    record = copy.deepcopy(template)
    record["id"] = contact_id
    defaults = {
        "email": None,
        "phone": None,
        "loyalty_card_number": None,
        "social_handle": None,
        "consent_analytics": "granted",
        "date_of_birth": "1980-01-01",
    }
    record["properties"].update(defaults | properties)
    return record


def _event(template: dict[str, Any], cookie: str, offset: int, **changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(template)
    record.update(
        {
            "user_pseudo_id": cookie,
            "event_timestamp": template["event_timestamp"] + offset,
            "event_name": "page_view",
            "privacy_info": {"analytics_storage": "Yes", "ads_storage": "Yes", "uses_transient_token": "No"},
        }
    )
    record.update(changes)
    return record


def _order(template: dict[str, Any], order_id: str, loyalty: str | None, email: str | None) -> dict[str, Any]:
    record = copy.deepcopy(template)
    record["id"] = order_id
    record["source"] = {"name": "store-till"}
    record["metadata"] = {"loyalty_card_number": loyalty, "receipt_email": email, "training": "false"}
    return record


def write_stress_world(landing: Path) -> StressWorld:
    """Append the bad inputs and identity stress cases to a simulated landing zone."""
    world = StressWorld()
    _contacts(world, landing)
    _ga4(world, landing)
    _orders(world, landing)
    _mentions(world, landing)
    return world


def _contacts(world: StressWorld, landing: Path) -> None:
    relative, template = _template(landing, "crm/contacts/*.jsonl")
    out = _Appender(world, landing, relative)
    for i in range(HUB_EMAIL_RECORDS):  # one e-mail typed on 5,000 different people's records
        contact_id = f"HUB-{i:05d}"
        world.hub_contacts.append(contact_id)
        birth = f"{1940 + i % 60}-0{1 + i % 9}-1{i % 10}"
        out.record(_contact(template, contact_id, email=HUB_EMAIL, date_of_birth=birth), record_id=contact_id)
    for i in range(CHAIN_CONTACTS):  # contact i: e-mail i and card i; order i: card i and e-mail i+1
        contact_id = f"CHAIN-{i:03d}"
        world.chain_contacts.append(contact_id)
        card = f"77{i:011d}"
        out.record(_contact(template, contact_id, email=f"chain.{i}@chain.example", loyalty_card_number=card))
    for contact_id in HOUSEHOLD:
        out.record(_contact(template, contact_id, email=f"{contact_id.lower()}@family.example"))
    # the same CRM id twice in one file and again later: the latest update wins, nothing is doubled
    first = _contact(template, DUPLICATE_CONTACT, city="Lille")
    first["updatedAt"] = "2026-10-01T08:00:00Z"
    second = _contact(template, DUPLICATE_CONTACT, city="Nantes")
    second["updatedAt"] = "2026-10-01T09:00:00Z"
    out.record(second)
    out.record(first)
    # bad inputs
    out.add('{"id": "BAD-JSON-1", "properties": {', "broken_json")
    out.record(
        _contact(template, "BAD-TYPE-1", loyalty_card_number=2906008293557), "wrong_type", "BAD-TYPE-1"
    )
    missing = _contact(template, "BAD-MISSING-1")
    del missing["createdAt"]
    out.record(missing, "missing_key", "BAD-MISSING-1")
    out.record(
        _contact(template, "BAD-CONSENT-1", consent_analytics="maybe"), "out_of_range", "BAD-CONSENT-1"
    )
    out.record(_contact(template, "BAD-BIRTH-1", date_of_birth="2999-01-01"), "out_of_range", "BAD-BIRTH-1")
    out.record(_contact(template, "OK-EMOJI-1", city="Zürich 🏔️ مدينة"), LOADED, None)
    out.record(_contact(template, "OK-EMPTY-EMAIL", email="", phone="   "), LOADED, None)
    out.record(_contact(template, "OK-HUGE-1", city="x" * 1_000_000), LOADED, None)
    out.close()


def _ga4(world: StressWorld, landing: Path) -> None:
    relative, template = _template(landing, "ga4/events_*.jsonl")
    out = _Appender(world, landing, relative)
    for i in range(TEST_ACCOUNT_SESSIONS):  # a QA login used on thousands of browsers in one day
        cookie = f"9000{i:06d}.1790838353"
        world.test_account_cookies.append(cookie)
        out.record(_event(template, cookie, 10 + i, user_id=TEST_ACCOUNT))
    for offset, user in ((1, HOUSEHOLD[0]), (2, HOUSEHOLD[1])):  # one family tablet, two logins
        out.record(_event(template, HOUSEHOLD_COOKIE, 5_000_000 + offset, user_id=user))
    for i in range(CHAIN_CONTACTS):  # each chain contact logs in once
        out.record(_event(template, f"8000{i:06d}.1790838353", 6_000_000 + i, user_id=f"CHAIN-{i:03d}"))
    duplicate = _event(template, "7000000001.1790838353", 7_000_000)
    out.record(duplicate)
    out.record(duplicate, "duplicate")
    out.add("{not json at all", "broken_json")
    epoch_zero = _event(template, "7000000002.1790838353", 0, event_timestamp=0, event_date="19700101")
    out.record(epoch_zero, "out_of_range")  # 1970-01-01 is not the file's day
    future = _event(template, "7000000003.1790838353", 0, event_timestamp=4_102_444_800_000_000)
    out.record(future, "future_timestamp")
    odd_param = _event(template, "7000000004.1790838353", 7_000_004)
    odd_param["event_params"] = [{"key": "value", "value": {"int_value": "12,50"}}]
    out.record(odd_param, "wrong_type")
    rtl = _event(template, "7000000005.1790838353", 7_000_005)
    rtl["event_params"] = [{"key": "page_title", "value": {"string_value": "מבצע 🎉 عرض"}}]
    out.record(rtl)
    out.close()


def _orders(world: StressWorld, landing: Path) -> None:
    relative, template = _template(landing, "pos/orders/*.jsonl", lambda r: not r.get("returns"))
    out = _Appender(world, landing, relative)
    for i in range(CHAIN_CONTACTS):
        order = _order(template, f"O-CHAIN-{i:03d}", f"77{i:011d}", f"chain.{i + 1}@chain.example")
        out.record(order)
    text_amount = _order(template, "O-BAD-AMOUNT", None, None)
    text_amount["total_money"] = {"amount": "12,50", "currency": "EUR"}
    out.record(text_amount, "wrong_type", "O-BAD-AMOUNT")
    negative = _order(template, "O-BAD-NEGATIVE", None, None)
    negative["total_money"] = {"amount": -1250, "currency": "EUR"}
    out.record(negative, "out_of_range", "O-BAD-NEGATIVE")
    naive = _order(template, "O-NAIVE-TZ", None, None)
    naive["created_at"] = "2026-10-01T10:20:48"  # no offset: read as UTC
    out.record(naive)
    out.close()


def _mentions(world: StressWorld, landing: Path) -> None:
    relative, template = _template(landing, "social/mentions/*.jsonl")
    out = _Appender(world, landing, relative)
    rtl = copy.deepcopy(template) | {"mention_id": "m-rtl-1", "text": "שירות מעולה 👍 خدمة ممتازة"}
    out.record(rtl)
    negative = copy.deepcopy(template) | {"mention_id": "m-bad-likes", "likes": -3}
    out.record(negative, "out_of_range", "m-bad-likes")
    no_id = copy.deepcopy(template)
    del no_id["mention_id"]
    out.record(no_id, "missing_key")
    out.close()
