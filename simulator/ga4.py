"""GA4 BigQuery export rows (``events_YYYYMMDD``) built from the day's web sessions.

Sessions become events by vectorised expansion (one block of rows per event
kind, then one sort); DuckDB shapes the nested columns (event_params,
privacy_info, device, ...) and writes the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.config import CHANNELS, SimulationConfig
from simulator.export import Export
from simulator.identity import bot_cookie_key, cookie_number, person_cookie_key, session_cookie_key
from simulator.journeys import PURCHASE, RESEARCH, DayActivity
from simulator.population import DEVICE_PROFILES, Population
from simulator.randomness import Stream, stream
from simulator.state import CONSENT_ADS, CONSENT_ANALYTICS, JourneyState, start_epoch_ms
from simulator.world import CHANNEL_UTM, SHOP_URL, STORES, World

EVENT_KINDS: tuple[str, ...] = (
    "first_visit",
    "session_start",
    "page_view",
    "login",
    "sign_up",
    "view_item",
    "add_to_cart",
    "store_locator",
    "begin_checkout",
    "purchase",
)
(
    FIRST_VISIT,
    SESSION_START,
    PAGE_VIEW,
    LOGIN,
    SIGN_UP,
    VIEW_ITEM,
    ADD_TO_CART,
    STORE_LOCATOR,
    BEGIN_CHECKOUT,
    PURCHASE_EVENT,
) = range(len(EVENT_KINDS))
PAGES: tuple[tuple[str, str], ...] = (
    ("/", "Parcours - outdoor and city gear"),
    ("/c/shoes", "Shoes"),
    ("/c/jackets", "Jackets"),
    ("/c/bags", "Bags"),
    ("/c/outdoor", "Outdoor"),
    ("/promotions", "Promotions"),
    ("/stores", "Our stores"),
)
FIXED_PATHS: dict[int, str] = {
    LOGIN: "/account/login",
    SIGN_UP: "/account/register",
    STORE_LOCATOR: "/stores",
    BEGIN_CHECKOUT: "/checkout",
    PURCHASE_EVENT: "/checkout/confirmation",
}
BOT_DEVICE = ("desktop", "(not set)", "Linux", "Chrome")
ACQUISITION: tuple[tuple[str, str, str], ...] = (
    ("(direct)", "(none)", "(direct)"),
    ("(organic)", "organic", "google"),
    ("(referral)", "referral", "facebook.com"),
    ("newsletter", "email", "newsletter"),
)
STREAM_ID = "4567890123"
SHIPPING_CENTS, FREE_SHIPPING_FROM_CENTS = 490, 6000
US_PER_S = 1_000_000


@dataclass
class SessionTable:
    """Session-level columns (people then bots), the input of the event expansion."""

    person: np.ndarray  #: -1 for bots
    start_s: np.ndarray
    analytics: np.ndarray
    ads: np.ndarray
    cookie: np.ndarray
    cookie_suffix_s: np.ndarray
    first_touch_s: np.ndarray  #: 0 when no persistent cookie (refusers)
    session_number: np.ndarray
    new_cookie: np.ndarray
    logged_in: np.ndarray
    device: np.ndarray  #: index into DEVICE_PROFILES, len(DEVICE_PROFILES) for the bot device
    store: np.ndarray  #: home store (geo), -1 for bots
    channel: np.ndarray
    campaign: np.ndarray
    counts: np.ndarray  #: [session, EVENT_KINDS] number of events of each kind
    basket_size: np.ndarray
    is_bot: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def build_ga4_events(
    config: SimulationConfig, world: World, population: Population, state: JourneyState, activity: DayActivity
) -> pa.Table:
    """All events of the day (column ``arrival_lag`` = days late), sorted by time; updates cookie state."""
    rng = stream(config.seed, Stream.GA4, activity.day)
    day_start_s = _day_start_s(config, world, activity.day)
    people = _person_sessions(config, population, state, activity, day_start_s, rng)
    sessions = _concat_sessions(people, _bot_sessions(config, day_start_s, rng))
    return _events(config, world, population, state, sessions, activity.day, rng)


def _day_start_s(config: SimulationConfig, world: World, day: int) -> int:
    """Epoch seconds of local midnight in Paris (the GA4 property's time zone) on ``day``."""
    paris_offset_min = int(world.utc_offsets_minutes(day)[0])
    return start_epoch_ms(config) // 1000 + day * 86_400 - paris_offset_min * 60


def _session_starts(rng: np.random.Generator, n: int, day_start_s: int) -> np.ndarray:
    """Start times between 06:00 and 22:59 local, busier in the evening."""
    hour_weights = np.array([1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 6, 4, 2], dtype=float)
    hour = rng.choice(len(hour_weights), n, p=hour_weights / hour_weights.sum()) + 6
    return day_start_s + hour * 3600 + rng.integers(0, 3600, n)


def _person_sessions(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    activity: DayActivity,
    day_start_s: int,
    rng: np.random.Generator,
) -> SessionTable:
    web = activity.sessions
    person = web.person
    n = len(person)
    start_s = _session_starts(rng, n, day_start_s)
    analytics = state.consent[person, CONSENT_ANALYTICS]
    slot = (rng.random(n) * population.n_devices[person]).astype(np.int64)
    cookie_key, first_touch, session_number, new_cookie = _advance_cookies(
        config, state, person, slot, start_s, analytics, rng
    )
    refuser_key = session_cookie_key(np.arange(n), population.size, n_bots(config))
    logged_in = (
        analytics
        & state.has_account[person]
        & (web.purchase | web.sign_up | (rng.random(n) < config.login_rate))
    )
    login = logged_in & ~web.sign_up & (rng.random(n) < 0.5)
    basket = np.where(web.cart, 1 + rng.binomial(3, 0.25, n), 0)
    counts = np.zeros((n, len(EVENT_KINDS)), dtype=np.int64)
    counts[:, FIRST_VISIT] = new_cookie & analytics
    counts[:, SESSION_START] = 1
    counts[:, PAGE_VIEW] = 1 + rng.poisson(config.page_views_mean + 1.5 * (web.reason == RESEARCH), n)
    counts[:, LOGIN] = login
    counts[:, SIGN_UP] = web.sign_up
    counts[:, VIEW_ITEM] = web.n_views
    counts[:, ADD_TO_CART] = basket
    counts[:, STORE_LOCATOR] = web.store_locator
    counts[:, BEGIN_CHECKOUT] = web.reason == PURCHASE
    counts[:, PURCHASE_EVENT] = web.reason == PURCHASE
    return SessionTable(
        person=person,
        start_s=start_s,
        analytics=analytics,
        ads=state.consent[person, CONSENT_ADS] & analytics,
        cookie=cookie_number(np.where(analytics, cookie_key, refuser_key)),
        cookie_suffix_s=np.where(analytics, first_touch, start_s),
        first_touch_s=np.where(analytics, first_touch, 0),
        session_number=np.where(analytics, session_number, 1),
        new_cookie=new_cookie & analytics,
        logged_in=logged_in,
        device=population.device_profile[person, slot].astype(np.int64),
        store=population.home_store[person].astype(np.int64),
        channel=web.channel.astype(np.int64),
        campaign=web.campaign,
        counts=counts,
        basket_size=basket,
        is_bot=np.zeros(n, dtype=bool),
    )


def _advance_cookies(
    config: SimulationConfig,
    state: JourneyState,
    person: np.ndarray,
    slot: np.ndarray,
    start_s: np.ndarray,
    analytics: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reset some cookies, create missing ones, count sessions; return key, first touch, number, new."""
    first_touch = state.cookie_first_touch_s[person, slot]
    reset = analytics & (first_touch > 0) & (rng.random(len(person)) < config.cookie_reset_rate)
    new_cookie = analytics & (reset | (first_touch == 0))
    state.cookie_generation[person[reset], slot[reset]] += 1
    state.cookie_first_touch_s[person[new_cookie], slot[new_cookie]] = start_s[new_cookie]
    state.session_count[person[new_cookie], slot[new_cookie]] = 0
    state.session_count[person[analytics], slot[analytics]] += 1
    key = person_cookie_key(person, slot, state.cookie_generation[person, slot].astype(np.int64))
    return key, state.cookie_first_touch_s[person, slot], state.session_count[person, slot], new_cookie


def n_bots(config: SimulationConfig) -> int:
    """Number of distinct crawlers (each keeps one cookie)."""
    return max(2, config.customers // 5000)


def _bot_sessions(config: SimulationConfig, day_start_s: int, rng: np.random.Generator) -> SessionTable:
    """Crawler sessions: many page views seconds apart, from a few persistent cookies."""
    n = int(rng.poisson(config.bot_session_rate * config.customers))
    bot = rng.integers(0, n_bots(config), n)
    counts = np.zeros((n, len(EVENT_KINDS)), dtype=np.int64)
    counts[:, SESSION_START] = 1
    counts[:, PAGE_VIEW] = rng.integers(10, 41, n)
    counts[:, VIEW_ITEM] = rng.integers(0, 10, n)
    first_touch = start_epoch_ms(config) // 1000 - 86_400 * (30 + bot)  # one cookie per bot, for ever
    return SessionTable(
        person=np.full(n, -1),
        start_s=_session_starts(rng, n, day_start_s),
        analytics=np.ones(n, bool),
        ads=np.zeros(n, bool),
        cookie=cookie_number(bot_cookie_key(bot, config.customers)),
        cookie_suffix_s=first_touch,
        first_touch_s=first_touch,
        session_number=np.ones(n, np.int64),
        new_cookie=np.zeros(n, bool),
        logged_in=np.zeros(n, bool),
        device=np.full(n, len(DEVICE_PROFILES)),
        store=np.full(n, -1),
        channel=np.full(n, -1),
        campaign=np.full(n, -1),
        counts=counts,
        basket_size=np.zeros(n, np.int64),
        is_bot=np.ones(n, bool),
    )


def _concat_sessions(first: SessionTable, second: SessionTable) -> SessionTable:
    columns = {name: np.concatenate([getattr(first, name), getattr(second, name)]) for name in vars(first)}
    return SessionTable(**columns)


@dataclass(frozen=True)
class EventFrame:
    """Events as parallel arrays, sorted by (session, kind, index within kind)."""

    session: np.ndarray
    kind: np.ndarray
    index_in_kind: np.ndarray
    position: np.ndarray  #: position within the session (batch_event_index)
    timestamp_us: np.ndarray


def _expand(sessions: SessionTable, rng: np.random.Generator) -> EventFrame:
    """One row per event, ordered inside each session, with increasing timestamps."""
    blocks = []
    for kind_number in range(len(EVENT_KINDS)):
        count = sessions.counts[:, kind_number]
        rows_session = np.repeat(np.arange(len(sessions)), count)
        starts = np.repeat(np.cumsum(count) - count, count)
        blocks.append(
            (
                rows_session,
                np.full(len(rows_session), kind_number, np.int8),
                np.arange(len(rows_session)) - starts,
            )
        )
    session = np.concatenate([b[0] for b in blocks])
    kind = np.concatenate([b[1] for b in blocks])
    index_in_kind = np.concatenate([b[2] for b in blocks])
    order = np.lexsort((index_in_kind, kind, session))
    session, kind, index_in_kind = session[order], kind[order], index_in_kind[order]
    per_session = sessions.counts.sum(axis=1)  # at least 1: every session has a session_start
    first_row = np.cumsum(per_session) - per_session
    position = np.arange(len(session)) - first_row[session]
    mean_gap_s = np.where(sessions.is_bot, 0.4, 20.0)[session]
    gap_us = (rng.exponential(1.0, len(session)) * mean_gap_s * US_PER_S).astype(np.int64) + 1
    gap_us[(kind <= SESSION_START) | ((kind == PAGE_VIEW) & (index_in_kind == 0))] = 1
    elapsed = np.cumsum(gap_us)
    elapsed -= (elapsed[first_row] - 1)[session]
    timestamp_us = sessions.start_s[session] * US_PER_S + elapsed
    return EventFrame(session, kind, index_in_kind, position, timestamp_us)


def _events(
    config: SimulationConfig,
    world: World,
    population: Population,
    state: JourneyState,
    sessions: SessionTable,
    day: int,
    rng: np.random.Generator,
) -> pa.Table:
    frame = _expand(sessions, rng)
    basket = _baskets(world, sessions, rng)
    session = frame.session
    order = np.lexsort((frame.position, session, frame.timestamp_us))
    columns: dict[str, pa.Array | np.ndarray] = {
        "event_date": pa.array(np.full(len(session), world.day_date(day).strftime("%Y%m%d")), pa.string()),
        "event_timestamp": frame.timestamp_us,
        "event_name": pa.array(EVENT_KINDS).take(pa.array(frame.kind)),
        "event_value_in_usd": _event_value(frame, basket),
        "event_bundle_sequence_id": (sessions.start_s * 7919 % 9_000_000 + 1_000_000)[session],
        "batch_event_index": frame.position,
        "batch_page_id": _page_ids(frame),
        "batch_ordering_id": frame.position + 1,
        **_params(world, sessions, frame, basket, rng),
        **_user_columns(state, population, sessions, session),
        **_device_and_geo(sessions, session),
        **_traffic(world, sessions, session, frame),
        **_ecommerce(world, sessions, frame, basket, day),
        "items": _items(world, frame, sessions, basket, rng),
        "person_id": pa.array(sessions.person[session], mask=sessions.person[session] < 0),
    }
    table = pa.table(
        {
            name: pa.array(column) if isinstance(column, np.ndarray) else column
            for name, column in columns.items()
        }
    )
    late = rng.random(len(session)) < config.late_event_rate
    lag = np.where(late, rng.integers(1, 4, len(session)), 0).astype(np.int8)
    return table.append_column("arrival_lag", pa.array(lag)).take(pa.array(order))


@dataclass(frozen=True)
class Baskets:
    """Products added to cart per session (flat, ``offset`` per session), and per-session totals."""

    offset: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    subtotal_cents: np.ndarray
    total_quantity: np.ndarray


def _baskets(world: World, sessions: SessionTable, rng: np.random.Generator) -> Baskets:
    size = sessions.basket_size
    total = int(size.sum())
    product = rng.choice(len(world.catalog.sku), total, p=world.catalog.popularity)
    quantity = 1 + (rng.random(total) < 0.1).astype(np.int64)
    owner = np.repeat(np.arange(len(sessions)), size)
    price = world.catalog.price_cents[product]
    return Baskets(
        offset=np.cumsum(size) - size,
        product=product,
        quantity=quantity,
        subtotal_cents=np.bincount(owner, weights=price * quantity, minlength=len(sessions)).astype(np.int64),
        total_quantity=np.bincount(owner, weights=quantity, minlength=len(sessions)).astype(np.int64),
    )


def _page_ids(frame: EventFrame) -> np.ndarray:
    """Number of the page view an event belongs to (page views so far in the session, at least 1)."""
    is_page = (frame.kind == PAGE_VIEW).astype(np.int64)
    pages_so_far = np.cumsum(is_page)
    first_row = np.flatnonzero(frame.position == 0)  # rows are grouped by session, in session order
    before_session = pages_so_far[first_row] - is_page[first_row]
    return np.maximum(pages_so_far - before_session[frame.session], 1)


def _revenue_cents(basket: Baskets) -> np.ndarray:
    shipping = np.where(basket.subtotal_cents < FREE_SHIPPING_FROM_CENTS, SHIPPING_CENTS, 0)
    return basket.subtotal_cents + shipping


def _event_value(frame: EventFrame, basket: Baskets) -> pa.Array:
    usd = np.round(_revenue_cents(basket)[frame.session] * 1.08) / 100
    return pa.array(usd, mask=frame.kind != PURCHASE_EVENT)


def _landing(frame: EventFrame) -> np.ndarray:
    return (frame.kind <= SESSION_START) | ((frame.kind == PAGE_VIEW) & (frame.index_in_kind == 0))


def _masked_take(values: list[str] | tuple[str, ...], index: np.ndarray, mask: np.ndarray) -> pa.Array:
    """``values[index]`` where ``mask`` is false, null elsewhere."""
    taken = pa.array(values, pa.string()).take(pa.array(np.where(mask, 0, index)))
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), taken)


def _params(
    world: World, sessions: SessionTable, frame: EventFrame, basket: Baskets, rng: np.random.Generator
) -> dict[str, pa.Array | np.ndarray]:
    """Flat columns of the event_params (null = the key is absent)."""
    kind, session = frame.kind, frame.session
    n = len(kind)
    product = _viewed_products(world, frame, sessions, basket, rng)
    page = rng.integers(0, len(PAGES), n)
    product_event = (kind == VIEW_ITEM) | (kind == ADD_TO_CART)
    paths = [p for p, _ in PAGES]
    path = pa.array(paths).take(pa.array(page))
    for fixed_kind, fixed_path in FIXED_PATHS.items():
        path = pc.if_else(pa.array(kind == fixed_kind), fixed_path, path)
    sku_path = pc.binary_join_element_wise(
        "/p/", pc.utf8_lower(pa.array(world.catalog.sku).take(pa.array(product))), ""
    )
    path = pc.if_else(pa.array(product_event), sku_path, path)
    location = pc.binary_join_element_wise(SHOP_URL, path, _utm_query(world, sessions, frame), "")
    landing = _landing(frame)
    channel = sessions.channel[session]
    utm = landing & (channel >= 0)
    source_medium = [CHANNEL_UTM[c] for c in CHANNELS]
    return {
        "p_ga_session_id": sessions.start_s[session],
        "p_ga_session_number": sessions.session_number[session],
        "p_page_location": location,
        "p_page_referrer": _masked_take(
            [SHOP_URL + "/"], np.zeros(n, np.int64), ~((kind == PAGE_VIEW) & (frame.index_in_kind > 0))
        ),
        "p_page_title": pc.if_else(
            pa.array(kind == VIEW_ITEM),
            pa.array(world.catalog.name).take(pa.array(product)),
            _masked_take([t for _, t in PAGES], page, kind != PAGE_VIEW),
        ),
        "p_engagement_time_msec": pa.array(rng.integers(200, 30_000, n), mask=kind <= SESSION_START),
        "p_session_engaged": _masked_take(
            ["0", "1"], (sessions.counts.sum(axis=1) > 3)[session].astype(np.int64), kind != SESSION_START
        ),
        "p_source": _masked_take([s for s, _ in source_medium], channel, ~utm),
        "p_medium": _masked_take([m for _, m in source_medium], channel, ~utm),
        "p_campaign": _campaign_names(world, sessions.campaign[session], utm),
        "p_gclid": pc.if_else(
            pa.array(utm & (channel == CHANNELS.index("paid_search"))),
            pc.binary_join_element_wise(
                "Cj0KC", pc.cast(pa.array(sessions.start_s[session]), pa.string()), ""
            ),
            pa.scalar(None, pa.string()),
        ),
        "p_method": _masked_take(["email"], np.zeros(n, np.int64), (kind != LOGIN) & (kind != SIGN_UP)),
        "p_store_id": _masked_take(
            [s.store_id for s in STORES], np.maximum(sessions.store[session], 0), kind != STORE_LOCATOR
        ),
    }


def _viewed_products(
    world: World, frame: EventFrame, sessions: SessionTable, basket: Baskets, rng: np.random.Generator
) -> np.ndarray:
    """Product of each event: random views, the basket line for add_to_cart (0 for other kinds)."""
    viewed = rng.choice(len(world.catalog.sku), len(frame.kind), p=world.catalog.popularity)
    cart_line = np.minimum(
        basket.offset[frame.session] + frame.index_in_kind, max(len(basket.product) - 1, 0)
    )
    in_cart = basket.product[cart_line] if len(basket.product) else np.zeros(len(frame.kind), np.int64)
    return np.where(frame.kind == ADD_TO_CART, in_cart, viewed)


def _utm_query(world: World, sessions: SessionTable, frame: EventFrame) -> pa.Array:
    """``?utm_source=..&utm_medium=..&utm_campaign=..`` on landing pages of campaign visits, else ''."""
    campaign_query = [
        f"?utm_source={c['utm_source']}&utm_medium={c['utm_medium']}&utm_campaign={c['utm_campaign']}"
        for c in world.campaigns.records
    ]
    campaign = sessions.campaign[frame.session]
    index = _campaign_index(world, campaign)
    with_query = _landing(frame) & (index >= 0)
    return pc.fill_null(_masked_take(campaign_query or [""], np.maximum(index, 0), ~with_query), "")


def _campaign_index(world: World, campaign_id: np.ndarray) -> np.ndarray:
    """Row of each campaign id in ``world.campaigns.records`` (-1 for none)."""
    ids = np.array([c["id"] for c in world.campaigns.records], dtype=np.int64)
    position = np.searchsorted(ids, campaign_id)
    found = (campaign_id >= 0) & (position < len(ids))
    return np.where(found, position, -1)


def _campaign_names(world: World, campaign_id: np.ndarray, mask: np.ndarray) -> pa.Array:
    index = _campaign_index(world, campaign_id)
    names = [str(c["utm_campaign"]) for c in world.campaigns.records] or [""]
    return _masked_take(names, np.maximum(index, 0), ~mask | (index < 0))


def _user_columns(
    state: JourneyState, population: Population, sessions: SessionTable, session: np.ndarray
) -> dict[str, pa.Array]:
    person = np.maximum(sessions.person[session], 0)
    logged_in = sessions.logged_in[session]
    pseudo = pc.binary_join_element_wise(
        pc.cast(pa.array(sessions.cookie[session]), pa.string()),
        ".",
        pc.cast(pa.array(sessions.cookie_suffix_s[session]), pa.string()),
        "",
    )
    tier = np.select(
        [state.purchase_count[person] >= 5, state.purchase_count[person] >= 2], [2, 1], default=0
    )
    first_touch_us = sessions.first_touch_s[session] * US_PER_S
    return {
        "user_id": pc.if_else(
            pa.array(logged_in), population.contact_id.take(pa.array(person)), pa.scalar(None, pa.string())
        ),
        "user_pseudo_id": pseudo,
        "user_first_touch_timestamp": pa.array(first_touch_us, mask=first_touch_us == 0),
        "loyalty_tier": _masked_take(["bronze", "silver", "gold"], tier, ~logged_in),
        "analytics_storage": _masked_take(
            ["No", "Yes"], sessions.analytics[session].astype(np.int64), np.zeros(len(session), bool)
        ),
        "ads_storage": _masked_take(
            ["No", "Yes"], sessions.ads[session].astype(np.int64), np.zeros(len(session), bool)
        ),
    }


def _device_and_geo(sessions: SessionTable, session: np.ndarray) -> dict[str, pa.Array]:
    profiles = [*DEVICE_PROFILES, BOT_DEVICE]
    device = sessions.device[session]
    no_mask = np.zeros(len(session), bool)
    store = sessions.store[session]
    places = [
        ("Europe", "France", s.region, s.city)
        if s.timezone == "Europe/Paris"
        else ("Africa", "Reunion", s.region, s.city)
        for s in STORES
    ]
    places.append(("Americas", "United States", "Virginia", "Ashburn"))
    place = np.where(store >= 0, store, len(STORES))
    columns = {}
    for i, name in enumerate(("category", "mobile_brand_name", "operating_system", "browser")):
        columns[f"device_{name}"] = _masked_take([p[i] for p in profiles], device, no_mask)
    for i, name in enumerate(("continent", "country", "region", "city")):
        columns[f"geo_{name}"] = _masked_take([p[i] for p in places], place, no_mask)
    return columns


def _traffic(
    world: World, sessions: SessionTable, session: np.ndarray, frame: EventFrame
) -> dict[str, pa.Array]:
    """User acquisition (traffic_source) and the session's collected utm (collected_traffic_source)."""
    person = np.maximum(sessions.person[session], 0)
    acquisition = (person * 2_654_435_761 >> 7) % len(ACQUISITION)
    no_mask = np.zeros(len(session), bool)
    channel = sessions.channel[session]
    direct = channel < 0
    source_medium = [CHANNEL_UTM[c] for c in CHANNELS]
    campaign = sessions.campaign[session]
    return {
        "ts_name": _masked_take([a[0] for a in ACQUISITION], acquisition, no_mask),
        "ts_medium": _masked_take([a[1] for a in ACQUISITION], acquisition, no_mask),
        "ts_source": _masked_take([a[2] for a in ACQUISITION], acquisition, no_mask),
        "cts_source": _masked_take([s for s, _ in source_medium], np.maximum(channel, 0), direct),
        "cts_medium": _masked_take([m for _, m in source_medium], np.maximum(channel, 0), direct),
        "cts_campaign_name": _campaign_names(world, campaign, ~direct),
        "cts_campaign_id": pc.cast(pa.array(campaign, mask=campaign < 0), pa.string()),
    }


def _ecommerce(
    world: World, sessions: SessionTable, frame: EventFrame, basket: Baskets, day: int
) -> dict[str, pa.Array]:
    session = frame.session
    is_purchase = frame.kind == PURCHASE_EVENT
    purchase_session = sessions.counts[:, PURCHASE_EVENT] > 0
    sequence = np.cumsum(purchase_session) - 1
    transaction = pc.binary_join_element_wise(
        f"W-{world.day_date(day):%Y%m%d}-",
        pc.utf8_lpad(pc.cast(pa.array(sequence[session]), pa.string()), 6, "0"),
        "",
    )
    revenue = _revenue_cents(basket)[session]
    shipping = revenue - basket.subtotal_cents[session]
    not_purchase = ~is_purchase
    return {
        "transaction_id": pc.if_else(pa.array(is_purchase), transaction, pa.scalar(None, pa.string())),
        "purchase_revenue": pa.array(revenue / 100, mask=not_purchase),
        "total_item_quantity": pa.array(basket.total_quantity[session], mask=not_purchase),
        "shipping_value": pa.array(shipping / 100, mask=not_purchase),
        "tax_value": pa.array(np.round(revenue / 6) / 100, mask=not_purchase),
        "unique_items": pa.array(sessions.basket_size[session], mask=not_purchase),
    }


def _items(
    world: World, frame: EventFrame, sessions: SessionTable, basket: Baskets, rng: np.random.Generator
) -> pa.Array:
    """The ``items`` list of every event (empty outside e-commerce events)."""
    kind, session = frame.kind, frame.session
    whole_basket = (kind == BEGIN_CHECKOUT) | (kind == PURCHASE_EVENT)
    count = np.where(whole_basket, sessions.basket_size[session], 0) + (
        (kind == VIEW_ITEM) | (kind == ADD_TO_CART)
    )
    owner = np.repeat(np.arange(len(kind)), count)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    line = basket.offset[session[owner]] + np.where(
        kind[owner] == ADD_TO_CART, frame.index_in_kind[owner], within
    )
    from_basket = kind[owner] != VIEW_ITEM
    safe_line = np.minimum(line, max(len(basket.product) - 1, 0))
    basket_product = basket.product[safe_line] if len(basket.product) else np.zeros(len(owner), np.int64)
    product = np.where(
        from_basket,
        basket_product,
        rng.choice(len(world.catalog.sku), len(owner), p=world.catalog.popularity),
    )
    quantity = np.where(from_basket, basket.quantity[safe_line] if len(basket.product) else 1, 1)
    price = world.catalog.price_cents[product] / 100
    catalog = world.catalog
    struct = pa.StructArray.from_arrays(
        [
            pa.array(catalog.sku).take(pa.array(product)),
            pa.array(catalog.name).take(pa.array(product)),
            pa.array(catalog.category).take(pa.array(product)),
            pa.array(price),
            pa.array(quantity),
            pa.array(price * quantity),
        ],
        names=["item_id", "item_name", "item_category", "price", "quantity", "item_revenue"],
    )
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), struct)


def _param_sql(key: str, column: str, value_type: str) -> str:
    value = {
        "string_value": "NULL::VARCHAR",
        "int_value": "NULL::BIGINT",
        "float_value": "NULL::DOUBLE",
        "double_value": "NULL::DOUBLE",
    }
    value[value_type] = column
    struct = ", ".join(f"'{name}': {sql}" for name, sql in value.items())
    return f"CASE WHEN {column} IS NOT NULL THEN {{'key': '{key}', 'value': {{{struct}}}}} END"


EVENT_PARAMS: tuple[tuple[str, str], ...] = (
    ("ga_session_id", "int_value"),
    ("ga_session_number", "int_value"),
    ("page_location", "string_value"),
    ("page_referrer", "string_value"),
    ("page_title", "string_value"),
    ("engagement_time_msec", "int_value"),
    ("session_engaged", "string_value"),
    ("source", "string_value"),
    ("medium", "string_value"),
    ("campaign", "string_value"),
    ("gclid", "string_value"),
    ("method", "string_value"),
    ("store_id", "string_value"),
)
_PARAMS_SQL = ", ".join(_param_sql(key, f"p_{key}", value_type) for key, value_type in EVENT_PARAMS)

GA4_SELECT = f"""
SELECT event_date, event_timestamp, event_name,
  NULL::BIGINT AS event_previous_timestamp, event_value_in_usd,
  event_bundle_sequence_id, batch_event_index, batch_page_id, batch_ordering_id,
  list_filter([{_PARAMS_SQL}], lambda p: p IS NOT NULL) AS event_params,
  user_id, user_pseudo_id, user_first_touch_timestamp,
  CASE WHEN loyalty_tier IS NULL THEN [] ELSE [{{'key': 'loyalty_tier', 'value': {{
    'string_value': loyalty_tier, 'int_value': NULL::BIGINT, 'float_value': NULL::DOUBLE,
    'double_value': NULL::DOUBLE, 'set_timestamp_micros': user_first_touch_timestamp}}}}] END
    AS user_properties,
  {{'analytics_storage': analytics_storage, 'ads_storage': ads_storage, 'uses_transient_token': 'No'}}
    AS privacy_info,
  {{'category': device_category, 'mobile_brand_name': device_mobile_brand_name,
    'operating_system': device_operating_system, 'browser': device_browser, 'language': 'fr-fr',
    'is_limited_ad_tracking': CASE WHEN ads_storage = 'Yes' THEN 'No' ELSE 'Yes' END}} AS device,
  {{'continent': geo_continent, 'country': geo_country, 'region': geo_region, 'city': geo_city}} AS geo,
  {{'name': ts_name, 'medium': ts_medium, 'source': ts_source}} AS traffic_source,
  CASE WHEN cts_source IS NULL THEN NULL ELSE {{'manual_source': cts_source, 'manual_medium': cts_medium,
    'manual_campaign_name': cts_campaign_name, 'manual_campaign_id': cts_campaign_id,
    'manual_term': NULL::VARCHAR, 'manual_content': NULL::VARCHAR, 'gclid': p_gclid}} END
    AS collected_traffic_source,
  '{STREAM_ID}' AS stream_id, 'WEB' AS platform,
  CASE WHEN transaction_id IS NULL THEN NULL ELSE {{'transaction_id': transaction_id,
    'purchase_revenue': purchase_revenue, 'total_item_quantity': total_item_quantity,
    'shipping_value': shipping_value, 'tax_value': tax_value, 'unique_items': unique_items}} END AS ecommerce,
  items
FROM rows
"""
GA4_RECORD_ID = "user_pseudo_id || '|' || event_timestamp || '|' || event_name || '|' || batch_event_index"
GA4_IDENTIFIERS = """
SELECT DISTINCT 'ga4_user_pseudo_id' AS identifier_type, user_pseudo_id AS identifier_value,
  person_id, CASE WHEN person_id IS NULL THEN 'bot_cookie' END AS shared_kind FROM rows
UNION ALL
SELECT DISTINCT 'ga4_user_id', user_id, person_id, NULL FROM rows WHERE user_id IS NOT NULL
"""


def ga4_export(events: pa.Table, event_day: int, world: World, part: int) -> Export:
    """The export of ``events`` into the file of ``event_day`` (part 0 writes it, later parts append)."""
    return Export(
        source="ga4",
        record_type="ga4_event",
        relative_path=ga4_relative_path(world, event_day),
        day=event_day,
        table=events,
        select_sql=GA4_SELECT,
        record_id_sql=GA4_RECORD_ID,
        identifier_sql=GA4_IDENTIFIERS,
        append=part > 0,
        part=part,
    )


def ga4_relative_path(world: World, event_day: int) -> str:
    """Landing path of the GA4 file of ``event_day``."""
    return f"ga4/events_{world.day_date(event_day):%Y%m%d}.jsonl"
