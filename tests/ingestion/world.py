"""A small hand-made landing zone, exactly in the shapes of docs/landing_zone.md, with known defects.

``write_world`` returns what a correct ingestion must produce: the valid records per raw table and
the (file, line, reason) of every malformed line.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 10, 1)
STORES = ("L001", "L002", "L003")
SKUS = ("SKU-0001", "SKU-0002", "SKU-0003", "SKU-0004")


@dataclass
class World:
    """What was written: valid record counts per raw table, and the malformed lines."""

    landing: Path
    valid: Counter[str] = field(default_factory=Counter)
    malformed: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)
    contact_ids: set[str] = field(default_factory=set)
    emails: dict[str, str] = field(default_factory=dict)  # contact id -> clear e-mail as written

    def quarantined(self, prefix: str) -> int:
        """How many malformed lines the files under a path prefix hold."""
        return sum(1 for file, _, _ in self.malformed if file.startswith(prefix))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


class _File:
    """Lines of one landing file, with the defects written into it."""

    def __init__(self, world: World, relative: str) -> None:
        self.world, self.relative = world, relative
        self.lines: list[str] = []

    def good(self, record: dict[str, Any]) -> None:
        self.lines.append(_dump(record))

    def bad(self, text: str, reason: str) -> None:
        self.lines.append(text)
        self.world.malformed.append((self.relative, len(self.lines), reason))

    def close(self) -> None:
        _write(self.world.landing / self.relative, self.lines)


def contact(i: int, day: date, *, updated: date | None = None) -> dict[str, Any]:
    cid = str(1_000_000 + i)
    created = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9, minutes=i)
    modified = datetime.combine(updated or day, datetime.min.time(), UTC) + timedelta(hours=18, minutes=i)
    stamp = _iso(modified)
    return {
        "id": cid,
        "createdAt": _iso(created),
        "updatedAt": stamp,
        "archived": False,
        "properties": {
            "email": f" Person.{i}@Example.com " if i % 2 else f"person.{i}@example.com",
            "firstname": f"First{i}",
            "lastname": f"Last{i}",
            "phone": f"06 12 34 {i:02d} 78",
            "country": "FR",
            "city": "Lyon",
            "zip": "69003",
            "gender": "female" if i % 2 else "male",
            "date_of_birth": f"19{70 + i % 30}-04-12",
            "loyalty_card_number": f"29012345{i:05d}",
            "social_handle": f"@person_{i}",
            "lifecyclestage": "customer",
            "hs_persona": None,
            "preferred_channel": "email",
            "consent_email": "granted",
            "consent_email_updated_at": _iso(created),
            "consent_sms": "denied",
            "consent_sms_updated_at": _iso(created),
            "consent_analytics": "granted" if i % 3 else "denied",
            "consent_analytics_updated_at": _iso(created),
            "consent_ads": "granted",
            "consent_ads_updated_at": _iso(created),
            "hs_object_id": cid,
            "createdate": _iso(created),
            "lastmodifieddate": stamp,
            "hs_lastmodifieddate": stamp,
        },
    }


def ga4_event(n: int, day: date, *, user: int | None, name: str = "page_view") -> dict[str, Any]:
    micros = int(datetime.combine(day, datetime.min.time(), UTC).timestamp() * 1_000_000) + n * 1_000_000
    value = {"string_value": None, "int_value": None, "float_value": None, "double_value": None}
    record: dict[str, Any] = {
        "event_date": day.strftime("%Y%m%d"),
        "event_timestamp": micros,
        "event_name": name,
        "event_previous_timestamp": None,
        "event_value_in_usd": None,
        "event_bundle_sequence_id": n,
        "batch_event_index": n % 3,
        "batch_page_id": 1,
        "batch_ordering_id": 1,
        "event_params": [
            {"key": "ga_session_id", "value": {**value, "int_value": 1_762_070_300 + n // 4}},
            {"key": "page_location", "value": {**value, "string_value": f"https://shop.example.com/p/{n}"}},
        ],
        "user_id": None if user is None else str(1_000_000 + user),
        "user_pseudo_id": f"{(user or n) * 7}.1761000000",
        "user_first_touch_timestamp": 1_761_000_000_000_000,
        "user_properties": [
            {
                "key": "loyalty_tier",
                "value": {**value, "string_value": "gold", "set_timestamp_micros": 1_761_000_000_000_000},
            }
        ],
        "privacy_info": {"analytics_storage": "Yes", "ads_storage": "No", "uses_transient_token": "No"},
        "device": {
            "category": "mobile",
            "mobile_brand_name": "Apple",
            "operating_system": "iOS",
            "browser": "Safari",
            "language": "fr-fr",
            "is_limited_ad_tracking": "No",
        },
        "geo": {"continent": "Europe", "country": "France", "region": "Auvergne-Rhone-Alpes", "city": "Lyon"},
        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
        "collected_traffic_source": {
            "manual_source": "google",
            "manual_medium": "cpc",
            "manual_campaign_name": "brand",
            "manual_campaign_id": "120",
            "manual_term": None,
            "manual_content": None,
            "gclid": None,
        },
        "stream_id": "4567890123",
        "platform": "WEB",
        "ecommerce": None,
        "items": [],
    }
    if name == "purchase":
        record["ecommerce"] = {
            "transaction_id": f"W-{n:06d}",
            "purchase_revenue": 89.9,
            "total_item_quantity": 2,
            "shipping_value": 4.9,
            "tax_value": 14.98,
            "unique_items": 2,
        }
        record["items"] = [
            {
                "item_id": sku,
                "item_name": sku,
                "item_category": "Shoes",
                "price": 42.5,
                "quantity": 1,
                "item_revenue": 42.5,
            }
            for sku in SKUS[:2]
        ]
    return record


def money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def order(
    n: int, day: date, *, store: str, returns_of: str | None = None, receipt_email: str | None = None
) -> dict[str, Any]:
    closed = f"{day.isoformat()}T17:{n % 60:02d}:10+01:00"
    sign = -1 if returns_of else 1
    line = {
        "uid": "1",
        "catalog_object_id": SKUS[n % 4],
        "name": "Trail runner",
        "quantity": "1",
        "base_price_money": money(8990),
        "total_discount_money": money(0),
        "gross_sales_money": money(8990),
        "total_money": money(8990),
    }
    return {
        "id": f"O-{store}-{day.strftime('%Y%m%d')}-{n:06d}",
        "location_id": store,
        "state": "COMPLETED",
        "created_at": closed,
        "updated_at": closed,
        "closed_at": closed,
        "source": {"name": "till-2"},
        "customer_id": None,
        "line_items": [] if returns_of else [line],
        "tenders": [
            {
                "id": "T1",
                "type": "CARD",
                "amount_money": money(sign * 8990),
                "card_details": {"card": {"card_brand": "VISA"}},
            }
        ],
        "total_money": money(sign * 8990),
        "total_discount_money": money(0),
        "metadata": {
            "loyalty_card_number": "2901234500001" if n % 2 else None,
            "receipt_email": receipt_email,
            "training": "false",
        },
        "returns": [
            {
                "source_order_id": returns_of,
                "return_line_items": [
                    {"catalog_object_id": SKUS[0], "quantity": "1", "total_money": money(8990)}
                ],
            }
        ]
        if returns_of
        else None,
    }


def mention(n: int, day: date, *, published: str | None = None) -> dict[str, Any]:
    return {
        "mention_id": f"tw-{n}",
        "platform": "instagram",
        "author_handle": f"@fan_{n}",
        "author_followers": 100 + n,
        "author_gender": "female",
        "author_age_band": "35-44",
        "author_region": None,
        "published_at": published or f"{day.isoformat()}T20:14:00Z",
        "text": "Super service !",
        "language": "fr",
        "url": f"https://social.example/p/{n}",
        "likes": n,
        "shares": 2,
        "replies": 1,
        "brand": "Parcours",
        "is_competitor": False,
        "topics": ["store_experience", "customer_service"],
        "sentiment": "positive",
        "reply_to_mention_id": None,
    }


def write_world(landing: Path, *, customers: int = 12, days: int = 3, ga4_events_per_day: int = 40) -> World:
    """Write the landing zone; every daily file holds at least one defect of a known reason."""
    world = World(landing)
    days_list = [START + timedelta(days=d) for d in range(days)]
    _write_crm(world, customers, days_list)
    _write_ga4(world, customers, days_list, ga4_events_per_day)
    _write_pos(world, customers, days_list)
    _write_social(world, days_list)
    return world


def _write_crm(world: World, customers: int, days: list[date]) -> None:
    for d, day in enumerate(days):
        stamp = day.strftime("%Y%m%d")
        contacts = _File(world, f"crm/contacts/contacts_{stamp}.jsonl")
        for i in range(customers):
            if i % len(days) == d:
                record = contact(i, day)
                world.contact_ids.add(record["id"])
                world.emails[record["id"]] = record["properties"]["email"]
                contacts.good(record)
                world.valid["contacts"] += 1
            elif d > 0 and i % len(days) == d - 1 and i % 2 == 0:
                contacts.good(contact(i, days[d - 1], updated=day))  # updated the next day
                world.valid["contacts"] += 1
        contacts.bad(
            _dump({k: v for k, v in contact(900 + d, day).items() if k != "properties"}), "missing_key"
        )
        contacts.bad(_dump({**contact(950 + d, day), "archived": "yes"}), "wrong_type")
        contacts.close()
        events = _File(world, f"crm/email_events/email_events_{stamp}.jsonl")
        for i in range(customers):
            created = int(datetime.combine(day, datetime.min.time(), UTC).timestamp() * 1000) + i
            for kind in ("SENT", "DELIVERED", "OPEN"):
                events.good(
                    {
                        "id": f"ev-{stamp}-{i}-{kind}",
                        "created": created,
                        "type": kind,
                        "recipient": f"Person.{i}@example.com",
                        "emailCampaignId": 310,
                        "portalId": 1,
                        "appId": 0,
                        "sentBy": {"id": "7c2e", "created": created - 10},
                        "deviceType": "mobile",
                        "url": None,
                        "browser": {"name": "Safari"},
                        "location": {"country": "FR"},
                    }
                )
                world.valid["email_events"] += 1
        events.bad('{"id": "ev-broken", "created": 17594', "broken_json")
        events.close()
        feedback = _File(world, f"crm/feedback/feedback_{stamp}.jsonl")
        for i in range(2):
            feedback.good(_feedback(f"{stamp}{i}", day, "NPS", str(7 + i)))
            world.valid["feedback"] += 1
        feedback.bad(_dump(_feedback(f"{stamp}9", day, "NPS", "11")), "out_of_range")
        feedback.close()
        tickets = _File(world, f"crm/tickets/tickets_{stamp}.jsonl")
        tickets.good(_ticket(f"{stamp}1", day, "MEDIUM"))
        world.valid["tickets"] += 1
        tickets.bad(_dump(_ticket(f"{stamp}2", day, {"value": "HIGH"})), "wrong_type")
        tickets.close()
    campaigns = _File(world, "crm/campaigns.jsonl")
    for cid, channel in ((310, "email"), (120, "paid_search"), (305, "organic_social")):
        campaigns.good(
            {
                "id": cid,
                "name": f"Campaign {cid}",
                "channel": channel,
                "utm_source": "newsletter",
                "utm_medium": channel,
                "utm_campaign": f"c_{cid}",
                "start_date": "2026-09-20",
                "end_date": "2026-12-27",
                "budget_eur": 12000.0,
                "target_segment": "deal_hunter",
            }
        )
        world.valid["campaigns"] += 1
    campaigns.close()


def _feedback(fid: str, day: date, survey: str, value: str) -> dict[str, Any]:
    stamp = f"{day.isoformat()}T10:00:00Z"
    return {
        "id": fid,
        "createdAt": stamp,
        "updatedAt": stamp,
        "properties": {
            "hs_survey_type": survey,
            "hs_response_value": value,
            "hs_content": "Super accueil",
            "hs_survey_channel": "EMAIL",
            "journey_moment": "store_visit",
            "hs_contact_id": "1000001",
            "hs_submission_timestamp": stamp,
            "store_id": "L003",
            "order_id": None,
        },
    }


def _ticket(tid: str, day: date, priority: object) -> dict[str, Any]:
    stamp = f"{day.isoformat()}T11:00:00Z"
    return {
        "id": tid,
        "createdAt": stamp,
        "updatedAt": stamp,
        "properties": {
            "subject": "Colis non reçu",
            "content": "...",
            "hs_ticket_category": "delivery",
            "hs_pipeline_stage": "closed",
            "hs_ticket_priority": priority,
            "source_type": "PHONE",
            "hs_contact_id": "1000002",
            "closed_date": stamp,
        },
    }


def _write_ga4(world: World, customers: int, days: list[date], per_day: int) -> None:
    for day in days:
        file = _File(world, f"ga4/events_{day.strftime('%Y%m%d')}.jsonl")
        for n in range(per_day):
            name = "purchase" if n % 10 == 9 else "page_view"
            record = ga4_event(n, day, user=n % customers if n % 4 else None, name=name)
            file.good(record)
            world.valid["events"] += 1
            world.valid["event_params"] += 2
            world.valid["user_properties"] += 1
            world.valid["event_items"] += len(record["items"])
        file.bad(file.lines[0], "duplicate")
        file.bad(file.lines[1][: len(file.lines[1]) // 2], "broken_json")
        wrong = ga4_event(per_day + 1, day, user=1)
        wrong["event_timestamp"] = "17620704001234,56"
        file.bad(_dump(wrong), "wrong_type")
        future = ga4_event(per_day + 2, day, user=1)
        future["event_timestamp"] += 5 * 365 * 86_400 * 1_000_000
        file.bad(_dump(future), "future_timestamp")
        file.close()


def _write_pos(world: World, customers: int, days: list[date]) -> None:
    locations = _File(world, "pos/locations.jsonl")
    for store in STORES:
        locations.good(
            {
                "id": store,
                "name": f"Store {store}",
                "timezone": "Europe/Paris",
                "region": "ARA",
                "city": "Lyon",
                "country": "FR",
                "status": "ACTIVE",
                "business_unit": f"BU-{store}",
                "opened_at": "2019-03-01",
            }
        )
        world.valid["locations"] += 1
    locations.close()
    catalog = _File(world, "pos/catalog.jsonl")
    for sku in SKUS:
        catalog.good(
            {
                "id": sku,
                "type": "ITEM",
                "item_data": {
                    "name": sku,
                    "category": "Shoes",
                    "brand": "Parcours Outdoor",
                    "price_money": money(8990),
                },
            }
        )
        world.valid["catalog"] += 1
    catalog.close()
    for day in days:
        file = _File(world, f"pos/orders/orders_{day.strftime('%Y%m%d')}.jsonl")
        for n in range(customers):
            email = f"Buyer.{n}@Example.com" if n % 5 == 0 else None
            file.good(order(n, day, store=STORES[n % 3], receipt_email=email))
            world.valid["orders"] += 1
            world.valid["order_line_items"] += 1
            world.valid["order_tenders"] += 1
        file.good(order(customers, day, store="L001", returns_of=f"O-L001-{day.strftime('%Y%m%d')}-000000"))
        world.valid.update(["orders", "order_tenders", "order_returns", "order_return_line_items"])
        negative = order(customers + 1, day, store="L002")
        negative["line_items"][0]["quantity"] = "-1"
        file.bad(_dump(negative), "out_of_range")
        file.close()


def _write_social(world: World, days: list[date]) -> None:
    for d, day in enumerate(days):
        stamp = day.strftime("%Y%m%d")
        mentions = _File(world, f"social/mentions/mentions_{stamp}.jsonl")
        for n in range(5):
            mentions.good(mention(d * 100 + n, day))
            world.valid["mentions"] += 1
            world.valid["mention_topics"] += 2
        mentions.bad(_dump(mention(d * 100 + 99, day, published="2031-11-02T20:14:00Z")), "future_timestamp")
        mentions.close()
        posts = _File(world, f"social/posts/posts_{stamp}.jsonl")
        post = {
            "post_id": f"ig-{stamp}",
            "platform": "instagram",
            "published_at": f"{day.isoformat()}T12:00:00Z",
            "campaign_id": 305,
            "text": "...",
            "url": "https://social.example/ig",
            "impressions": 1000,
            "reach": 800,
            "engagements": 40,
            "link_clicks": 8,
        }
        posts.good(post)
        world.valid["posts"] += 1
        posts.bad(_dump({**post, "post_id": f"ig-{stamp}-x", "impressions": "many"}), "wrong_type")
        posts.close()
