"""Square POS records, flattened: orders with their line items, tenders and returns; stores; catalog."""

from __future__ import annotations

from ingestion.specs import OUT_OF_RANGE, Check, Child, Derived, DriftScope, Entity, Field, Kind

_ORDER = ("order_id",)
# Child rows carry the order's version too: one load can hold two versions of an order (changed
# while the API was paging, or in two export files), and the merge keeps the child rows of both;
# staging keeps those of the version the orders table kept.
_ORDER_VERSION = ("order_id", "updated_at")


def _money(column: str, path: str) -> tuple[Field, ...]:
    return (
        Field(f"{column}_amount", f"{path}.amount", Kind.INT),
        Field(f"{column}_currency", f"{path}.currency"),
    )


LINE_ITEMS = Child(
    "order_line_items",
    "$.line_items",
    (
        Field("line_uid", "$.uid"),
        Field("catalog_object_id", "$.catalog_object_id"),
        Field("name", "$.name"),
        Field("quantity", "$.quantity", Kind.FLOAT_STRING, required=True),
        *_money("base_price_money", "$.base_price_money"),
        *_money("total_discount_money", "$.total_discount_money"),
        *_money("gross_sales_money", "$.gross_sales_money"),
        *_money("total_money", "$.total_money"),
    ),
    _ORDER_VERSION,
    "line_index",
    checks=(
        Check(OUT_OF_RANGE, "line item quantity is not positive (returns use returns)", "quantity <= 0"),
    ),
)
TENDERS = Child(
    "order_tenders",
    "$.tenders",
    (
        Field("tender_id", "$.id"),
        Field("tender_type", "$.type"),
        *_money("amount_money", "$.amount_money"),
        Field("card_brand", "$.card_details.card.card_brand"),
    ),
    _ORDER_VERSION,
    "tender_index",
)
RETURN_LINE_ITEMS = Child(
    "order_return_line_items",
    "$.return_line_items",
    (
        Field("catalog_object_id", "$.catalog_object_id"),
        Field("name", "$.name"),
        Field("quantity", "$.quantity", Kind.FLOAT_STRING, required=True),
        *_money("total_money", "$.total_money"),
    ),
    (*_ORDER_VERSION, "return_index"),
    "line_index",
    checks=(Check(OUT_OF_RANGE, "returned quantity is not positive", "quantity <= 0"),),
)
RETURNS = Child(
    "order_returns",
    "$.returns",
    (Field("source_order_id", "$.source_order_id"),),
    _ORDER_VERSION,
    "return_index",
    children=(RETURN_LINE_ITEMS,),
)

ORDERS = Entity(
    table="orders",
    fields=(
        Field("order_id", "$.id", required=True),
        Field("location_id", "$.location_id", required=True),
        Field("state", "$.state"),
        Field("created_at", "$.created_at", Kind.TIMESTAMP, required=True),
        Field("updated_at", "$.updated_at", Kind.TIMESTAMP),
        Field("closed_at", "$.closed_at", Kind.TIMESTAMP),
        Field("source_name", "$.source.name"),
        Field("customer_id", "$.customer_id"),
        *_money("total_money", "$.total_money"),
        *_money("total_discount_money", "$.total_discount_money"),
        Field("loyalty_card_number", "$.metadata.loyalty_card_number"),
        Field("receipt_email", "$.metadata.receipt_email", pii="email"),
        Field("is_training", "$.metadata.training", Kind.BOOL_STRING),
    ),
    key=_ORDER,
    derived=(Derived("is_return", "coalesce(_n_order_returns, 0) > 0"),),
    checks=(
        Check(
            OUT_OF_RANGE,
            "negative total on an order that is not a return",
            "total_money_amount < 0 AND NOT is_return",
        ),
        Check(OUT_OF_RANGE, "total_money missing", "total_money_amount IS NULL"),
    ),
    children=(LINE_ITEMS, TENDERS, RETURNS),
    drift_scopes=(DriftScope("$"), DriftScope("$.metadata", "metadata_")),
    newest_column="updated_at",
    restricted_table="receipt_emails",
)

LOCATIONS = Entity(
    table="locations",
    fields=(
        Field("location_id", "$.id", required=True),
        Field("name", "$.name"),
        Field("timezone", "$.timezone"),
        Field("region", "$.region"),
        Field("city", "$.city"),
        Field("country", "$.country"),
        Field("status", "$.status"),
        Field("business_unit", "$.business_unit"),
        Field("opened_at", "$.opened_at", Kind.DATE),
    ),
    key=("location_id",),
)

CATALOG = Entity(
    table="catalog",
    fields=(
        Field("item_id", "$.id", required=True),
        Field("type", "$.type"),
        Field("name", "$.item_data.name"),
        Field("category", "$.item_data.category"),
        Field("brand", "$.item_data.brand"),
        Field("price_amount", "$.item_data.price_money.amount", Kind.INT, min_value=0),
        Field("price_currency", "$.item_data.price_money.currency"),
    ),
    key=("item_id",),
    drift_scopes=(DriftScope("$"), DriftScope("$.item_data", "item_data_")),
)
