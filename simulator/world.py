"""The brand's fixed world: stores, catalogue, campaigns and competitors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from simulator.config import CHANNELS, PERSONAS, SimulationConfig
from simulator.randomness import Stream, stream

BRAND = "Parcours"
COMPETITORS: tuple[str, ...] = ("Sentiers & Co", "UrbanTrail", "Alpina Store")
SHOP_URL = "https://shop.parcours.example"


@dataclass(frozen=True)
class Store:
    """A store: a Square location and a business unit."""

    store_id: str
    name: str
    region: str
    city: str
    zip_code: str
    timezone: str
    business_unit: str
    opened_at: str
    weight: float  #: share of the population living near it


STORES: tuple[Store, ...] = (
    Store(
        "L001",
        "Paris Rivoli",
        "Ile-de-France",
        "Paris",
        "75001",
        "Europe/Paris",
        "BU-PARIS",
        "2015-04-01",
        0.14,
    ),
    Store(
        "L002",
        "Paris La Defense",
        "Ile-de-France",
        "Puteaux",
        "92800",
        "Europe/Paris",
        "BU-PARIS",
        "2017-09-15",
        0.10,
    ),
    Store(
        "L003",
        "Lyon Part-Dieu",
        "Auvergne-Rhone-Alpes",
        "Lyon",
        "69003",
        "Europe/Paris",
        "BU-LYON",
        "2019-03-01",
        0.11,
    ),
    Store(
        "L004",
        "Grenoble Victor Hugo",
        "Auvergne-Rhone-Alpes",
        "Grenoble",
        "38000",
        "Europe/Paris",
        "BU-ALPES",
        "2020-05-20",
        0.06,
    ),
    Store(
        "L005",
        "Marseille Vieux-Port",
        "Provence-Alpes-Cote d'Azur",
        "Marseille",
        "13001",
        "Europe/Paris",
        "BU-MARSEILLE",
        "2018-06-12",
        0.09,
    ),
    Store(
        "L006",
        "Nice Massena",
        "Provence-Alpes-Cote d'Azur",
        "Nice",
        "06000",
        "Europe/Paris",
        "BU-NICE",
        "2021-02-01",
        0.06,
    ),
    Store(
        "L007",
        "Bordeaux Sainte-Catherine",
        "Nouvelle-Aquitaine",
        "Bordeaux",
        "33000",
        "Europe/Paris",
        "BU-BORDEAUX",
        "2016-10-10",
        0.09,
    ),
    Store(
        "L008",
        "Lille Grand Place",
        "Hauts-de-France",
        "Lille",
        "59000",
        "Europe/Paris",
        "BU-LILLE",
        "2019-11-05",
        0.08,
    ),
    Store(
        "L009",
        "Nantes Commerce",
        "Pays de la Loire",
        "Nantes",
        "44000",
        "Europe/Paris",
        "BU-NANTES",
        "2022-03-15",
        0.08,
    ),
    Store(
        "L010",
        "Toulouse Capitole",
        "Occitanie",
        "Toulouse",
        "31000",
        "Europe/Paris",
        "BU-TOULOUSE",
        "2018-01-20",
        0.09,
    ),
    Store(
        "L011",
        "Strasbourg Kleber",
        "Grand Est",
        "Strasbourg",
        "67000",
        "Europe/Paris",
        "BU-STRASBOURG",
        "2023-04-01",
        0.06,
    ),
    Store(
        "L012",
        "Saint-Denis Reunion",
        "La Reunion",
        "Saint-Denis",
        "97400",
        "Indian/Reunion",
        "BU-REUNION",
        "2024-06-01",
        0.04,
    ),
)

CATEGORIES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Shoes", ("Trail runner", "Hiking boot", "City sneaker", "Approach shoe", "Sandal"), 8990),
    ("Jackets", ("Rain jacket", "Down jacket", "Softshell", "Windbreaker", "Fleece"), 12990),
    ("Bags", ("Daypack", "Travel duffel", "Hip bag", "Backpack 30L", "Tote"), 5990),
    ("Accessories", ("Cap", "Beanie", "Gloves", "Socks pack", "Water bottle"), 1990),
    ("Outdoor", ("Tent", "Sleeping bag", "Headlamp", "Trekking poles", "Camp stove"), 9990),
    ("Kids", ("Kids jacket", "Kids boot", "Kids backpack", "Kids fleece", "Kids cap"), 3990),
)
PRODUCT_LINES: tuple[str, ...] = ("Alpha", "Horizon", "Cirrus", "Vega", "Nomad", "Summit", "Drift", "Echo")

CHANNEL_UTM: dict[str, tuple[str, str]] = {
    "email": ("newsletter", "email"),
    "sms": ("sms", "sms"),
    "paid_search": ("google", "cpc"),
    "paid_social": ("meta", "paid_social"),
    "display": ("dv360", "display"),
    "affiliate": ("awin", "affiliate"),
    "organic_social": ("instagram", "social"),
}
CAMPAIGN_THEMES: tuple[str, ...] = (
    "autumn_collection",
    "black_friday",
    "winter_sale",
    "new_arrivals",
    "loyalty_week",
    "outdoor_days",
    "brand_search",
    "click_and_collect",
    "kids_back_to_school",
    "gift_guide",
)


@dataclass(frozen=True)
class Catalog:
    """Products as parallel arrays (index = product number)."""

    sku: list[str]
    name: list[str]
    category: list[str]
    brand: list[str]
    price_cents: np.ndarray
    popularity: np.ndarray  #: sampling weights, sum 1


@dataclass(frozen=True)
class Campaigns:
    """Planned campaigns of every channel, and which one runs on each day."""

    records: list[dict[str, object]]
    active: np.ndarray  #: [horizon days, channels] campaign id, -1 when none runs

    def active_on(self, day: int) -> np.ndarray:
        """Campaign id per channel on ``day`` (-1 when none runs)."""
        if 0 <= day < self.active.shape[0]:
            return self.active[day]
        return np.full(len(CHANNELS), -1, dtype=np.int64)


@dataclass(frozen=True)
class World:
    """Everything that does not depend on people: stores, catalogue, campaigns."""

    stores: tuple[Store, ...]
    catalog: Catalog
    campaigns: Campaigns
    start_date: date

    def day_date(self, day: int) -> date:
        """Calendar date of day index ``day``."""
        return self.start_date + timedelta(days=day)

    def utc_offsets_minutes(self, day: int) -> np.ndarray:
        """UTC offset of every store's time zone at noon of ``day``, in minutes."""
        noon = datetime.combine(self.day_date(day), datetime.min.time()).replace(hour=12)
        offsets = []
        for store in self.stores:
            delta = noon.replace(tzinfo=ZoneInfo(store.timezone)).utcoffset() or timedelta(0)
            offsets.append(int(delta.total_seconds() // 60))
        return np.array(offsets, dtype=np.int64)


def build_world(config: SimulationConfig) -> World:
    """Build the world from the seed alone (identical for every run of the same seed)."""
    return World(
        stores=STORES,
        catalog=_build_catalog(config),
        campaigns=_plan_campaigns(config),
        start_date=config.start_date,
    )


def _build_catalog(config: SimulationConfig) -> Catalog:
    rng = stream(config.seed, Stream.WORLD, part=1)
    category_index = rng.integers(0, len(CATEGORIES), config.n_products)
    model_index = rng.integers(0, 5, config.n_products)
    line_index = rng.integers(0, len(PRODUCT_LINES), config.n_products)
    base_price = np.array([base for _, _, base in CATEGORIES])[category_index]
    price = np.round(base_price * rng.lognormal(0.0, 0.35, config.n_products) / 100) * 100 - 10
    popularity = 1.0 / np.arange(1, config.n_products + 1) ** 0.9
    return Catalog(
        sku=[f"SKU-{i:04d}" for i in range(config.n_products)],
        name=[
            f"{PRODUCT_LINES[line]} {CATEGORIES[cat][1][model].lower()}"
            for cat, model, line in zip(category_index, model_index, line_index, strict=True)
        ],
        category=[CATEGORIES[cat][0] for cat in category_index],
        brand=["Parcours Outdoor" if cat != 0 else "Parcours Urban" for cat in category_index],
        price_cents=np.maximum(price, 490).astype(np.int64),
        popularity=popularity / popularity.sum(),
    )


def _plan_campaigns(config: SimulationConfig) -> Campaigns:
    rng = stream(config.seed, Stream.WORLD, part=2)
    horizon = config.campaign_horizon_days
    active = np.full((horizon, len(CHANNELS)), -1, dtype=np.int64)
    records: list[dict[str, object]] = []
    next_id = 100
    for channel_index, channel in enumerate(CHANNELS):
        day = int(rng.integers(0, 5))
        while day < horizon:
            length = int(rng.integers(7, 22))
            theme = CAMPAIGN_THEMES[int(rng.integers(0, len(CAMPAIGN_THEMES)))]
            records.append(_campaign_record(config, next_id, channel, theme, day, length, rng))
            active[day : day + length, channel_index] = next_id
            next_id += 1
            day += length + int(rng.integers(0, 8))
    return Campaigns(records=records, active=active)


def _campaign_record(
    config: SimulationConfig,
    campaign_id: int,
    channel: str,
    theme: str,
    day: int,
    length: int,
    rng: np.random.Generator,
) -> dict[str, object]:
    start = config.start_date + timedelta(days=day)
    end = start + timedelta(days=length - 1)
    source, medium = CHANNEL_UTM[channel]
    segment = "all" if rng.random() < 0.5 else PERSONAS[int(rng.integers(0, len(PERSONAS)))]
    return {
        "id": campaign_id,
        "name": f"{theme.replace('_', ' ').capitalize()} {start:%b %Y} ({channel})",
        "channel": channel,
        "utm_source": source,
        "utm_medium": medium,
        "utm_campaign": f"{theme}_{start:%Y%m%d}",
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "budget_eur": float(round(rng.uniform(2, 40)) * 1000) * max(1, config.customers // 100_000),
        "target_segment": segment,
    }


def write_reference_files(world: World, landing_dir: Path) -> dict[str, int]:
    """Write campaigns, locations and catalogue (small files, rewritten whole); return line counts."""
    locations: list[dict[str, object]] = [
        {
            "id": s.store_id,
            "name": s.name,
            "timezone": s.timezone,
            "region": s.region,
            "city": s.city,
            "country": "FR",
            "status": "ACTIVE",
            "business_unit": s.business_unit,
            "opened_at": s.opened_at,
        }
        for s in world.stores
    ]
    catalog = world.catalog
    items: list[dict[str, object]] = [
        {
            "id": catalog.sku[i],
            "type": "ITEM",
            "item_data": {
                "name": catalog.name[i],
                "category": catalog.category[i],
                "brand": catalog.brand[i],
                "price_money": {"amount": int(catalog.price_cents[i]), "currency": "EUR"},
            },
        }
        for i in range(len(catalog.sku))
    ]
    files: dict[str, list[dict[str, object]]] = {
        "crm/campaigns.jsonl": world.campaigns.records,
        "pos/locations.jsonl": locations,
        "pos/catalog.jsonl": items,
    }
    for relative, rows in files.items():
        path = landing_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return {relative: len(rows) for relative, rows in files.items()}
