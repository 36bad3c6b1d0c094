from __future__ import annotations

import json
import math
from collections import defaultdict

import pyarrow.parquet as pq

from tests.simulator.conftest import SimulatedWorld


def four_sigma(rate: float, n: int) -> float:
    """Tolerance of an observed share around ``rate`` for ``n`` draws."""
    return 4 * math.sqrt(rate * (1 - rate) / n)


def contacts(world: SimulatedWorld) -> list[dict]:
    rows = []
    for path in sorted((world.landing / "crm" / "contacts").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def test_duplicate_contacts_appear_at_the_configured_rate(small_world: SimulatedWorld) -> None:
    ids = pq.read_table(small_world.truth / "identifiers.parquet").to_pylist()
    contacts_per_person: dict[int, set[str]] = defaultdict(set)
    for row in ids:
        if row["identifier_type"] == "crm_contact_id":
            contacts_per_person[row["person_id"]].add(row["identifier_value"])
    share = sum(len(c) == 2 for c in contacts_per_person.values()) / len(contacts_per_person)
    expected = small_world.config.duplicate_contact_rate * (1 - small_world.config.family_email_rate)
    assert abs(share - expected) < four_sigma(expected, len(contacts_per_person))
    assert max(len(c) for c in contacts_per_person.values()) == 2


def test_duplicate_contacts_vary_email_case_and_spaces_or_use_a_second_address(
    small_world: SimulatedWorld,
) -> None:
    emails = [c["properties"]["email"] for c in contacts(small_world) if c.get("properties", {}).get("email")]
    assert any(e != e.strip() for e in emails)
    assert any(e.strip() != e.strip().lower() for e in emails)
    assert any(e.endswith("@gmail.example") for e in emails)


def test_shared_identifiers_cover_families_store_cards_test_account_and_bots(
    small_world: SimulatedWorld,
) -> None:
    shared = pq.read_table(small_world.truth / "shared_identifiers.parquet").to_pylist()
    kinds = defaultdict(list)
    for row in shared:
        kinds[row["kind"]].append(row)
    assert set(kinds) == {"family_email", "store_default_card", "test_account", "bot_cookie"}
    assert max(row["n_persons"] for row in kinds["family_email"]) >= 2
    assert max(row["n_persons"] for row in kinds["store_default_card"]) >= 2
    assert all(row["n_persons"] == 0 for row in kinds["test_account"] + kinds["bot_cookie"])
    personal = {
        (r["identifier_type"], r["identifier_value"])
        for r in pq.read_table(small_world.truth / "identifiers.parquet").to_pylist()
    }
    assert not personal & {(row["identifier_type"], row["identifier_value"]) for row in shared}


def test_store_default_card_is_scanned_on_the_configured_share_of_cardless_receipts(
    small_world: SimulatedWorld,
) -> None:
    default_card, cardless = 0, 0
    for path in sorted((small_world.landing / "pos" / "orders").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                order = json.loads(line)
            except json.JSONDecodeError:
                continue
            if order.get("returns") or order.get("metadata", {}).get("training") == "true":
                continue
            card = order["metadata"]["loyalty_card_number"]
            if card is None or card.startswith("2999999"):
                cardless += 1
                default_card += card is not None
    rate = small_world.config.store_default_card_rate
    assert abs(default_card / cardless - rate) < four_sigma(rate, cardless)


def test_family_members_share_one_email_in_their_contacts(small_world: SimulatedWorld) -> None:
    people_per_email: dict[str, set[str]] = defaultdict(set)
    for contact in contacts(small_world):
        email = contact.get("properties", {}).get("email")
        if email and email.startswith("famille."):
            people_per_email[email].add(contact["id"])
    assert people_per_email
    assert any(len(ids) >= 2 for ids in people_per_email.values())
