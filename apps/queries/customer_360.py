"""Queries of the Customer 360 page: find one customer, their profile, timeline, identifiers and merges.

Personal identifiers are shown masked (:func:`mask_identifier`); an e-mail typed to find a customer is
hashed with ingestion's keyed HMAC on input and only its hash is compared (:func:`email_hash`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from apps import data
from parcours.paths import resolve_data_dir

EMAIL_IDENTIFIER_TYPES = ["email_hash", "receipt_email_hash"]
LOYALTY_IDENTIFIER_TYPE = "loyalty_card_number"
TIMELINE_LIMIT = 500


@dataclass(frozen=True)
class Lookup:
    """The customer keys a lookup found, and a sentence on how."""

    customer_keys: list[str]
    message: str


def find_by_customer_key(key: str) -> Lookup:
    """The customer with ``key``, following merges when the key was retired."""
    key = key.strip()
    if not key:
        return Lookup([], "Enter a customer key.")
    current = data.query("select customer_key from dim_customers where customer_key = ?", [key])
    if not current.empty:
        return Lookup([key], "")
    if data.has_table("fct_identity_merges"):
        merged = data.query(
            "select current_customer_key from fct_identity_merges where retired_customer_key = ?", [key]
        )
        if not merged.empty:
            survivor = str(merged["current_customer_key"].iloc[0])
            return Lookup([survivor], f"Key {key} was merged into {survivor}; showing that customer.")
    return Lookup([], "No customer has this key.")


def find_by_identifier(identifier_types: list[str], value: str | None, what: str) -> Lookup:
    """The customers known by ``value`` under one of ``identifier_types`` (bridge_customer_identifiers)."""
    if not value:
        return Lookup([], f"No {what} given.")
    found = data.query(
        """
        select customer_key, max(last_seen_at) as last_seen_at
        from bridge_customer_identifiers
        where list_contains(?::varchar[], identifier_type) and identifier_value = ?
        group by customer_key
        order by last_seen_at desc, customer_key
        """,
        [identifier_types, value],
    )
    keys = found["customer_key"].astype(str).tolist() if not found.empty else []
    if not keys:
        return Lookup([], f"No customer is known by this {what}.")
    return Lookup(keys, "" if len(keys) == 1 else f"{len(keys)} customers are known by this {what}.")


def find_by_loyalty_card(number: str) -> Lookup:
    """The customers holding loyalty card ``number`` (spaces ignored)."""
    return find_by_identifier([LOYALTY_IDENTIFIER_TYPE], "".join(number.split()), "loyalty card number")


def email_hash(email: str) -> str | None:
    """The warehouse's keyed hash of ``email`` (normalised as ingestion does); None if not an address."""
    from ingestion.pii import hash_email, load_pii_key

    return hash_email(email, load_pii_key(resolve_data_dir()))


def find_by_email(email: str) -> Lookup:
    """The customers known by the e-mail address, compared by its keyed hash only."""
    from ingestion.pii import PiiKeyMissingError

    try:
        hashed = email_hash(email)
    except PiiKeyMissingError:
        return Lookup([], "E-mail look-up needs the PII hashing key the pipeline used (PARCOURS_PII_KEY).")
    if hashed is None:
        return Lookup([], "This is not an e-mail address.")
    return find_by_identifier(EMAIL_IDENTIFIER_TYPES, hashed, "e-mail address")


def profile(customer_key: str) -> pd.DataFrame:
    """The customer's row of dim_customers."""
    return data.query("select * from dim_customers where customer_key = ?", [customer_key])


def timeline(customer_key: str) -> pd.DataFrame:
    """The customer's latest touchpoints, newest first."""
    return data.query(
        f"""
        select touchpoint_at, channel, touchpoint_type, sub_channel, campaign, store_id, region,
               sentiment, revenue::double as revenue, record_source
        from fct_touchpoints
        where customer_key = ?
        order by touchpoint_at desc, touchpoint_id
        limit {TIMELINE_LIMIT}
        """,
        [customer_key],
    )


def stage_history(customer_key: str) -> pd.DataFrame:
    """The customer's journey stages, oldest first."""
    return data.query(
        """
        select valid_from, valid_to, journey_state, funnel_stage, buying_cycle_position, days_in_stage
        from fct_customer_stage_history
        where customer_key = ?
        order by valid_from, transition_number
        """,
        [customer_key],
    )


def identifiers(customer_key: str) -> pd.DataFrame:
    """The identifiers and source systems linked into the customer, values masked."""
    frame = data.query(
        """
        select source_system, identifier_type, identifier_value, link_status, record_count,
               first_seen_at, last_seen_at
        from bridge_customer_identifiers
        where customer_key = ?
        order by source_system, identifier_type, first_seen_at, identifier_value
        """,
        [customer_key],
    )
    if frame.empty:
        return frame
    frame["identifier"] = [
        mask_identifier(kind, value)
        for kind, value in zip(frame["identifier_type"], frame["identifier_value"], strict=True)
    ]
    return frame.drop(columns=["identifier_value"])[
        [
            "source_system",
            "identifier_type",
            "identifier",
            "link_status",
            "record_count",
            "first_seen_at",
            "last_seen_at",
        ]
    ]


def merges(customer_key: str) -> pd.DataFrame:
    """The retired keys merged into the customer, oldest merge first."""
    return data.query(
        """
        select retired_customer_key, surviving_customer_key, merge_hops, merged_at, identifiers_moved
        from fct_identity_merges
        where current_customer_key = ?
        order by merged_at, retired_customer_key
        """,
        [customer_key],
    )


def mask_identifier(identifier_type: str, value: object) -> str:
    """A value safe to show: hashes and cookies shortened, card numbers and handles mostly hidden."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    if identifier_type.endswith("_hash") or identifier_type == "ga4_user_pseudo_id":
        return f"{text[:8]}…"
    if identifier_type == LOYALTY_IDENTIFIER_TYPE:
        return f"•••• {text[-4:]}" if len(text) > 4 else "••••"
    if identifier_type == "social_handle":
        return f"{text[0]}{'•' * max(len(text) - 1, 3)}"
    if identifier_type in {"crm_contact_id", "ga4_user_id"}:
        return text
    return "•••"
