"""The suppression list: identifiers of erased people, which ingestion never loads again.

``parcours erase`` appends one line per identifier to ``<data dir>/privacy/suppression_list.jsonl``:
the identity namespace (``email_hash``, ``crm_contact_id``, ...) and the keyed HMAC of the value
exactly as ingestion computes it (:mod:`ingestion.pii`): for e-mails and phones the ``*_hash``
column itself, for the other identifiers ``HMAC(key, normalised value)``. No clear value is kept.

While parsing, a record carrying a suppressed identifier in any identifier column is quarantined
with reason ``suppressed`` and no payload, so reconciliation still balances and nothing of the
person reaches the warehouse again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from parcours.paths import DataDir, resolve_data_dir

SUPPRESSION_FILE = "suppression_list.jsonl"


@dataclass(frozen=True)
class IdentifierColumn:
    """A raw column carrying a person's identifier: its namespace and how its value is normalised."""

    namespace: str
    normalise_sql: str  # SQL over ``{c}``; the result is what the identity graph stores
    hashed: bool = False  # the column already holds the keyed hash (``*_hash``)


_TRIMMED = "nullif(trim({c}), '')"
_HANDLE = "nullif(ltrim(lower(trim({c})), '@'), '')"

# Identifier columns of the raw tables, as the validation step names them (``*_hash`` columns are the
# keyed hashes of e-mail and phone fields). Namespaces are those of the identity_identifier_types seed.
IDENTIFIER_COLUMNS: dict[str, IdentifierColumn] = {
    "contact_id": IdentifierColumn("crm_contact_id", _TRIMMED),
    "user_id": IdentifierColumn("crm_contact_id", _TRIMMED),
    "user_pseudo_id": IdentifierColumn("ga4_user_pseudo_id", "{c}"),
    "loyalty_card_number": IdentifierColumn("loyalty_card_number", _TRIMMED),
    "social_handle": IdentifierColumn("social_handle", _HANDLE),
    "author_handle": IdentifierColumn("social_handle", _HANDLE),
    "email_hash": IdentifierColumn("email_hash", "{c}", hashed=True),
    "recipient_email_hash": IdentifierColumn("email_hash", "{c}", hashed=True),
    "receipt_email_hash": IdentifierColumn("email_hash", "{c}", hashed=True),
    "phone_hash": IdentifierColumn("phone_hash", "{c}", hashed=True),
}


@dataclass(frozen=True)
class SuppressedIdentifier:
    """One suppressed identifier: its namespace and the keyed hash of its normalised value."""

    namespace: str
    value_hmac: str


def suppression_file(data_dir: DataDir) -> Path:
    """Where the data directory keeps its suppression list."""
    return data_dir.privacy / SUPPRESSION_FILE


def load_suppression(data_dir: DataDir | None = None) -> frozenset[SuppressedIdentifier]:
    """Every suppressed identifier of ``data_dir`` (default: the data directory of this process)."""
    path = suppression_file(data_dir or resolve_data_dir())
    if not path.is_file():
        return frozenset()
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            payload = json.loads(line)
            entries.add(SuppressedIdentifier(payload["namespace"], payload["value_hmac"]))
    return frozenset(entries)


def add_to_suppression(
    data_dir: DataDir, identifiers: Iterable[SuppressedIdentifier], erasure_id: str
) -> int:
    """Append the identifiers not suppressed yet; return how many were added."""
    known = load_suppression(data_dir)
    new = sorted(set(identifiers) - known, key=lambda item: (item.namespace, item.value_hmac))
    if not new:
        return 0
    path = suppression_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    added_at = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as handle:
        for item in new:
            record = {
                "namespace": item.namespace,
                "value_hmac": item.value_hmac,
                "erasure_id": erasure_id,
                "added_at": added_at,
            }
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    return len(new)
