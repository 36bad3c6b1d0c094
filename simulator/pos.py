"""Square orders of the day: store sales, returns of earlier sales and training-till tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.config import SimulationConfig
from simulator.export import Export
from simulator.identity import TEST_LOYALTY_CARD, store_default_card
from simulator.journeys import DayActivity
from simulator.population import Population
from simulator.randomness import Stream, stream
from simulator.state import start_epoch_ms
from simulator.world import STORES, Catalog, World

SALE, RETURN, TRAINING = range(3)
NO_CARD, PERSONAL_CARD, STORE_CARD, TEST_CARD = range(4)
TENDERS: tuple[str, ...] = ("CARD", "CASH", "WALLET")
CARD_BRANDS: tuple[str, ...] = ("VISA", "MASTERCARD", "AMERICAN_EXPRESS")
RETURN_WINDOW_DAYS = 14
PENDING_RETURN_SCHEMA = pa.schema(
    [
        ("return_day", pa.int64()),
        ("source_order_id", pa.string()),
        ("store", pa.int64()),
        ("person", pa.int64()),
        ("product", pa.int64()),
        ("amount_cents", pa.int64()),
        ("loyalty_card", pa.string()),
        ("card_kind", pa.int64()),
    ]
)


@dataclass(frozen=True)
class PosDay:
    """The day's orders (one row per order) and the returns planned for later days."""

    orders: pa.Table
    pending_returns: pa.Table


def empty_pending_returns() -> pa.Table:
    """No return planned yet."""
    return PENDING_RETURN_SCHEMA.empty_table()


def build_pos_orders(
    config: SimulationConfig, world: World, population: Population, activity: DayActivity, pending: pa.Table
) -> PosDay:
    """Sales of the day's store buyers, due returns and training orders, with Square order ids."""
    rng = stream(config.seed, Stream.POS, activity.day)
    day = activity.day
    due = pending.filter(pc.equal(pending["return_day"], day))
    sales = _sales(config, world, population, activity, rng)
    training = _training(config, rng)
    kind = np.concatenate(
        [np.full(len(sales.person), SALE), np.full(due.num_rows, RETURN), np.full(len(training), TRAINING)]
    )
    store = np.concatenate([sales.store, due["store"].to_numpy(), training]).astype(np.int64)
    person = np.concatenate([sales.person, due["person"].to_numpy(), np.full(len(training), -1)])
    local_s = _local_close_times(config, world, day, store, rng)
    order = np.lexsort((person, local_s, store))
    order_id = _order_ids(world, day, store[order])
    ids_in_input_order = order_id.take(pa.array(np.argsort(order)))
    new_pending = _plan_returns(config, world, day, sales, ids_in_input_order[: len(sales.person)], rng)
    table = _order_table(
        world, day, OrderFrame(kind, store, person, local_s, ids_in_input_order), sales, due, rng
    )
    remaining = pending.filter(pc.greater(pending["return_day"], day))
    return PosDay(
        orders=table.take(pa.array(order)),
        pending_returns=pa.concat_tables([remaining, new_pending]).combine_chunks(),
    )


@dataclass(frozen=True)
class Sales:
    """Store sales: one entry per order, plus flat line arrays (``line_owner`` = order number)."""

    person: np.ndarray
    store: np.ndarray
    loyalty_card: pa.Array
    card_kind: np.ndarray  #: NO_CARD, PERSONAL_CARD or STORE_CARD
    receipt_email: pa.Array
    family_email: np.ndarray
    line_owner: np.ndarray
    line_product: np.ndarray
    line_quantity: np.ndarray
    line_discount_cents: np.ndarray


def _sales(
    config: SimulationConfig,
    world: World,
    population: Population,
    activity: DayActivity,
    rng: np.random.Generator,
) -> Sales:
    person = activity.store_buyer
    n = len(person)
    store = activity.store_of_purchase.astype(np.int64)
    default_card = ~activity.card_scanned & (rng.random(n) < config.store_default_card_rate)
    defaults = pa.array([store_default_card(i) for i in range(len(STORES))]).take(pa.array(store))
    card = pc.if_else(
        pa.array(activity.card_scanned), population.loyalty_card.take(pa.array(person)), defaults
    )
    card = pc.if_else(pa.array(activity.card_scanned | default_card), card, pa.scalar(None, pa.string()))
    wants_receipt = population.has_email[person] & (rng.random(n) < config.receipt_email_rate)
    emails = pc.utf8_trim_whitespace(population.email.take(pa.array(person)))
    n_lines = np.minimum(1 + rng.poisson(2.0, n), 12)
    owner = np.repeat(np.arange(n), n_lines)
    product = rng.choice(len(world.catalog.sku), len(owner), p=world.catalog.popularity)
    quantity = rng.choice([1, 2, 3], len(owner), p=[0.85, 0.12, 0.03])
    gross = world.catalog.price_cents[product] * quantity
    discount = np.where(rng.random(len(owner)) < 0.2, np.round(gross * rng.uniform(0.1, 0.3, len(owner))), 0)
    return Sales(
        person=person,
        store=store,
        loyalty_card=card,
        card_kind=np.where(activity.card_scanned, PERSONAL_CARD, np.where(default_card, STORE_CARD, NO_CARD)),
        receipt_email=pc.if_else(pa.array(wants_receipt), emails, pa.scalar(None, pa.string())),
        family_email=population.family_group[person] >= 0,
        line_owner=owner,
        line_product=product,
        line_quantity=quantity,
        line_discount_cents=discount.astype(np.int64),
    )


def _training(config: SimulationConfig, rng: np.random.Generator) -> np.ndarray:
    """Store index of each test transaction of the training tills."""
    per_store = rng.poisson(config.training_orders_per_store, len(STORES))
    return np.repeat(np.arange(len(STORES)), per_store)


def _local_close_times(
    config: SimulationConfig, world: World, day: int, store: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Store-local closing times (seconds since epoch, as if local were UTC), 09:30-19:30."""
    local_midnight = start_epoch_ms(config) // 1000 + day * 86_400
    return local_midnight + 9 * 3600 + 1800 + rng.integers(0, 10 * 3600, len(store))


def _order_ids(world: World, day: int, sorted_store: np.ndarray) -> pa.Array:
    """``O-<store>-<yyyymmdd>-<nnnnnn>`` numbered by closing time within each store."""
    first = np.searchsorted(sorted_store, sorted_store)
    number = np.arange(len(sorted_store)) - first + 1
    store_ids = pa.array([s.store_id for s in STORES]).take(pa.array(sorted_store))
    return pc.binary_join_element_wise(
        "O",
        store_ids,
        f"{world.day_date(day):%Y%m%d}",
        pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), 6, "0"),
        "-",
    )


def _plan_returns(
    config: SimulationConfig,
    world: World,
    day: int,
    sales: Sales,
    order_ids: pa.Array,
    rng: np.random.Generator,
) -> pa.Table:
    """One unit of the first line of a share of today's sales comes back 1-14 days later."""
    returned = np.flatnonzero(rng.random(len(sales.person)) < config.return_rate)
    first_line = np.searchsorted(sales.line_owner, returned)
    unit_paid = (
        world.catalog.price_cents[sales.line_product[first_line]] * sales.line_quantity[first_line]
        - sales.line_discount_cents[first_line]
    ) // sales.line_quantity[first_line]
    return pa.table(
        {
            "return_day": day + rng.integers(1, RETURN_WINDOW_DAYS + 1, len(returned)),
            "source_order_id": order_ids.take(pa.array(returned)),
            "store": sales.store[returned],
            "person": sales.person[returned],
            "product": sales.line_product[first_line],
            "amount_cents": unit_paid,
            "loyalty_card": sales.loyalty_card.take(pa.array(returned)),
            "card_kind": sales.card_kind[returned],
        },
        schema=PENDING_RETURN_SCHEMA,
    )


@dataclass(frozen=True)
class OrderFrame:
    """Order-level arrays in input order: sales, then due returns, then training orders."""

    kind: np.ndarray
    store: np.ndarray
    person: np.ndarray
    local_close_s: np.ndarray
    order_id: pa.Array


def _order_table(
    world: World, day: int, frame: OrderFrame, sales: Sales, due: pa.Table, rng: np.random.Generator
) -> pa.Table:
    """One row per order with flat columns, the line items as a list, and truth helper columns."""
    n = len(frame.kind)
    n_sales, n_returns = len(sales.person), due.num_rows
    training = frame.kind == TRAINING
    line_owner = np.concatenate([sales.line_owner, np.flatnonzero(training)])
    n_training = int(training.sum())
    catalog = world.catalog
    product = np.concatenate([sales.line_product, rng.choice(len(catalog.sku), n_training)])
    quantity = np.concatenate([sales.line_quantity, np.ones(n_training, np.int64)])
    discount = np.concatenate([sales.line_discount_cents, np.zeros(n_training, np.int64)])
    gross = catalog.price_cents[product] * quantity
    line_total = gross - discount
    totals = np.bincount(line_owner, weights=line_total, minlength=n).astype(np.int64)
    totals[n_sales : n_sales + n_returns] = -due["amount_cents"].to_numpy()
    discounts = np.bincount(line_owner, weights=discount, minlength=n).astype(np.int64)
    offsets = world.utc_offsets_minutes(day)[frame.store]
    tender = rng.choice(len(TENDERS), n, p=[0.72, 0.18, 0.10])
    card = np.concatenate([sales.card_kind, due["card_kind"].to_numpy(), np.full(n_training, TEST_CARD)])
    columns = {
        "id": frame.order_id,
        "location_id": pa.array([s.store_id for s in STORES]).take(pa.array(frame.store)),
        "created_us": (frame.local_close_s - rng.integers(20, 300, n)) * 1_000_000,
        "closed_us": frame.local_close_s * 1_000_000,
        "utc_offset": pa.array([_format_offset(int(m)) for m in offsets], pa.string()),
        "source_name": pc.if_else(
            pa.array(training),
            "training-till",
            pc.binary_join_element_wise("till-", pc.cast(pa.array(rng.integers(1, 5, n)), pa.string()), ""),
        ),
        "lines": _line_list(catalog, line_owner, product, quantity, discount, gross, n),
        "tender_type": pa.array(TENDERS).take(pa.array(tender)),
        "card_brand": pa.array([*CARD_BRANDS, None]).take(
            pa.array(np.where(tender == 0, rng.integers(0, len(CARD_BRANDS), n), len(CARD_BRANDS)))
        ),
        "total": totals,
        "total_discount": discounts,
        "loyalty_card_number": pa.concat_arrays(
            [
                sales.loyalty_card.cast(pa.string()),
                due["loyalty_card"].combine_chunks().cast(pa.string()),
                pa.array([TEST_LOYALTY_CARD] * n_training, pa.string()),
            ]
        ),
        "card_kind": card,
        "receipt_email": pa.concat_arrays(
            [sales.receipt_email.cast(pa.string()), pa.nulls(n_returns + n_training, pa.string())]
        ),
        "family_email": np.concatenate([sales.family_email, np.zeros(n_returns + n_training, bool)]),
        "training": pa.array(np.where(training, "true", "false")),
        "return_source": pa.concat_arrays(
            [
                pa.nulls(n_sales, pa.string()),
                due["source_order_id"].combine_chunks().cast(pa.string()),
                pa.nulls(n_training, pa.string()),
            ]
        ),
        "return_sku": _masked_skus(catalog.sku, n_sales, due["product"].to_numpy(), n_training),
        "person_id": pa.array(frame.person, mask=frame.person < 0),
    }
    return pa.table({k: pa.array(v) if isinstance(v, np.ndarray) else v for k, v in columns.items()})


def _format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _masked_skus(skus: list[str], before: int, product: np.ndarray, after: int) -> pa.Array:
    returned = pa.array(skus).take(pa.array(product)) if len(product) else pa.array([], pa.string())
    return pa.concat_arrays([pa.nulls(before, pa.string()), returned, pa.nulls(after, pa.string())])


def _line_list(
    catalog: Catalog,
    owner: np.ndarray,
    product: np.ndarray,
    quantity: np.ndarray,
    discount: np.ndarray,
    gross: np.ndarray,
    n_orders: int,
) -> pa.Array:
    """Line items grouped by order (owner), as list<struct>."""
    order = np.argsort(owner, kind="stable")
    owner, product, quantity, discount, gross = (
        a[order] for a in (owner, product, quantity, discount, gross)
    )
    counts = np.bincount(owner, minlength=n_orders)
    uid = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    struct = pa.StructArray.from_arrays(
        [
            pc.cast(pa.array(uid), pa.string()),
            pa.array(catalog.sku).take(pa.array(product)),
            pa.array(catalog.name).take(pa.array(product)),
            pc.cast(pa.array(quantity), pa.string()),
            pa.array(catalog.price_cents[product]),
            pa.array(discount),
            pa.array(gross),
            pa.array(gross - discount),
        ],
        names=["uid", "sku", "name", "quantity", "base", "discount", "gross", "total"],
    )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), struct)


def _money(amount: str) -> str:
    return f"{{'amount': {amount}, 'currency': 'EUR'}}"


def _timestamp(column: str) -> str:
    return f"strftime(make_timestamp({column}), '%Y-%m-%dT%H:%M:%S') || utc_offset"


POS_SELECT = f"""
SELECT id, location_id, 'COMPLETED' AS state,
  {_timestamp("created_us")} AS created_at, {_timestamp("closed_us")} AS updated_at,
  {_timestamp("closed_us")} AS closed_at,
  {{'name': source_name}} AS source, NULL::VARCHAR AS customer_id,
  list_transform(lines, lambda l: {{'uid': l.uid, 'catalog_object_id': l.sku, 'name': l.name,
    'quantity': l.quantity, 'base_price_money': {_money("l.base")},
    'total_discount_money': {_money("l.discount")}, 'gross_sales_money': {_money("l.gross")},
    'total_money': {_money("l.total")}}}) AS line_items,
  [{{'id': 'T1', 'type': tender_type, 'amount_money': {_money("total")},
    'card_details': CASE WHEN card_brand IS NULL THEN NULL
      ELSE {{'card': {{'card_brand': card_brand}}}} END}}]
    AS tenders,
  {_money("total")} AS total_money, {_money("total_discount")} AS total_discount_money,
  {{'loyalty_card_number': loyalty_card_number, 'receipt_email': receipt_email, 'training': training}}
    AS metadata,
  CASE WHEN return_source IS NULL THEN NULL ELSE [{{'source_order_id': return_source,
    'return_line_items': [{{'catalog_object_id': return_sku, 'quantity': '1',
      'total_money': {_money("total")}}}]}}] END AS returns
FROM rows
"""
POS_IDENTIFIERS = f"""
SELECT DISTINCT 'loyalty_card_number' AS identifier_type, loyalty_card_number AS identifier_value, person_id,
  CASE card_kind WHEN {STORE_CARD} THEN 'store_default_card' WHEN {TEST_CARD} THEN 'test_account' END
    AS shared_kind
FROM rows WHERE loyalty_card_number IS NOT NULL
UNION ALL
SELECT DISTINCT 'email', receipt_email, person_id, CASE WHEN family_email THEN 'family_email' END
FROM rows WHERE receipt_email IS NOT NULL
"""


def pos_export(orders: pa.Table, world: World, day: int) -> Export:
    """The export of the day's orders file."""
    return Export(
        source="pos",
        record_type="pos_order",
        relative_path=f"pos/orders/orders_{world.day_date(day):%Y%m%d}.jsonl",
        day=day,
        table=orders,
        select_sql=POS_SELECT,
        record_id_sql="id",
        identifier_sql=POS_IDENTIFIERS,
    )
