"""Personal data: e-mails and phones are hashed in raw, clear only in the restricted datasets."""

from __future__ import annotations

import os
import re
import stat

import pytest

from ingestion.pii import ensure_pii_key, hash_email, hash_phone, key_file, normalise_email, normalise_phone
from parcours.paths import DataDir
from tests.ingestion.conftest import Loaded, rows, scalar, warehouse

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" Marie.Dupont@Example.com ", "marie.dupont@example.com"),
        ("MARIE.DUPONT @example.COM", "marie.dupont@example.com"),
        ("not an address", None),
        (None, None),
    ],
)
def test_emails_are_normalised_for_case_and_spaces(raw: str | None, normalised: str | None) -> None:
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "country", "normalised"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", None, "+33612345678"),
        ("+33 (0)6 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
        ("0151 2345 6789", "DE", "+4915123456789"),
        ("n/a", "FR", None),
    ],
)
def test_phones_are_normalised_to_international_format(
    raw: str, country: str | None, normalised: str | None
) -> None:
    assert normalise_phone(raw, country) == normalised


def test_hashes_are_keyed_and_equal_for_equivalent_values() -> None:
    assert hash_email(" A@B.fr", "k1") == hash_email("a@b.fr ", "k1")
    assert hash_email("a@b.fr", "k1") != hash_email("a@b.fr", "k2")
    assert hash_phone("06 12 34 56 78", "k1", "FR") == hash_phone("+33612345678", "k1")


def test_demo_key_is_generated_once_private_and_stable(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARCOURS_PII_KEY", raising=False)
    first = ensure_pii_key(data_dir)
    assert len(first) == 64
    assert stat.S_IMODE(key_file(data_dir).stat().st_mode) == 0o600
    assert ensure_pii_key(data_dir) == first


def test_environment_key_wins_over_the_key_file(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARCOURS_PII_KEY", raising=False)
    ensure_pii_key(data_dir)
    monkeypatch.setenv("PARCOURS_PII_KEY", "from-env")
    assert ensure_pii_key(data_dir) == "from-env"


def _varchar_columns(loaded: Loaded, schema: str) -> list[tuple[str, str]]:
    return rows(
        loaded.data_dir,
        "SELECT table_name, column_name FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' AND data_type = 'VARCHAR'",
    )


@pytest.mark.parametrize("schema", ["raw_crm", "raw_pos", "raw_ga4", "raw_social"])
def test_raw_datasets_hold_no_clear_email(loaded: Loaded, schema: str) -> None:
    columns = _varchar_columns(loaded, schema)
    with warehouse(loaded.data_dir) as con:
        for table, column in columns:
            sql = f'SELECT count(*) FROM {schema}."{table}" WHERE regexp_matches("{column}", $1)'
            assert con.execute(sql, [EMAIL]).fetchall() == [(0,)], f"{schema}.{table}.{column}"


def test_raw_contacts_have_no_names_phone_or_birth_date(loaded: Loaded) -> None:
    columns = {c for t, c in _varchar_columns(loaded, "raw_crm") if t == "contacts"}
    assert {"email", "phone", "firstname", "lastname"}.isdisjoint(columns)
    assert {"email_hash", "phone_hash", "loyalty_card_number", "social_handle"} <= columns


def test_restricted_contacts_map_clear_values_to_the_raw_hashes(loaded: Loaded) -> None:
    key = os.environ["PARCOURS_PII_KEY"]
    pairs = rows(
        loaded.data_dir,
        "SELECT r.email, c.email_hash FROM restricted_crm.contacts r "
        "JOIN raw_crm.contacts c USING (contact_id)",
    )
    assert len(pairs) == len(loaded.world.contact_ids)
    for clear, hashed in pairs:
        assert hashed == hash_email(clear, key)


def test_receipt_emails_are_hashed_in_raw_and_clear_in_restricted(loaded: Loaded) -> None:
    hashed = scalar(
        loaded.data_dir, "SELECT count(*) FROM raw_pos.orders WHERE receipt_email_hash IS NOT NULL"
    )
    clear = scalar(loaded.data_dir, "SELECT count(*) FROM restricted_pos.receipt_emails")
    assert hashed == clear > 0


def test_quarantined_payloads_mask_personal_values_outside_restricted(loaded: Loaded) -> None:
    masked = rows(loaded.data_dir, "SELECT raw_payload FROM raw_crm.quarantine WHERE table_name = 'contacts'")
    assert any("<redacted>" in payload for (payload,) in masked)
    assert not any(re.search(EMAIL, payload) or "First" in payload for (payload,) in masked)
    clear = rows(loaded.data_dir, "SELECT raw_payload FROM restricted_crm.quarantine")
    assert any(re.search(EMAIL, payload) for (payload,) in clear)
