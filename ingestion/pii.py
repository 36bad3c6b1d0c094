"""Personal data: normalise e-mail addresses and phone numbers, then hash them with a keyed HMAC-SHA256.

The normalisation and the HMAC are SQL macros run inside the parsing DuckDB (vectorised, one pass);
the Python helpers below evaluate the very same macros, so a value hashed by an erasure request or an
audience export matches the warehouse byte for byte.

The key comes from, in order: the ``PARCOURS_PII_KEY`` environment variable, the dlt secret
``parcours.pii_key``, or the file ``<data dir>/secrets/pii_hmac.key`` (created with 32 random bytes by
:func:`ensure_pii_key`). The key text is used as UTF-8 bytes, so copying the file's content into the
environment variable gives the same hashes. The key never enters the warehouse.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import dlt
import duckdb

from parcours import engine
from parcours.paths import DataDir

KEY_ENV_VAR = "PARCOURS_PII_KEY"
KEY_SECRET_NAME = "parcours.pii_key"
KEY_FILE_NAME = "pii_hmac.key"
DEFAULT_COUNTRY = "FR"

# ITU calling codes of the countries the demo and its likely users trade in.
CALLING_CODES = {
    "FR": "33",
    "BE": "32",
    "CH": "41",
    "LU": "352",
    "MC": "377",
    "DE": "49",
    "AT": "43",
    "NL": "31",
    "ES": "34",
    "PT": "351",
    "IT": "39",
    "GB": "44",
    "UK": "44",
    "IE": "353",
    "DK": "45",
    "SE": "46",
    "NO": "47",
    "FI": "358",
    "PL": "48",
    "US": "1",
    "CA": "1",
}

_SHA256_BLOCK = 64


class PiiKeyMissingError(RuntimeError):
    """No PII hashing key is configured."""


def key_file(data_dir: DataDir) -> Path:
    """Where the demo keeps its locally generated key."""
    return data_dir.secrets / KEY_FILE_NAME


def load_pii_key(data_dir: DataDir | None = None) -> str:
    """Return the PII key from the environment, dlt secrets or the data directory's key file."""
    if os.environ.get(KEY_ENV_VAR):
        return os.environ[KEY_ENV_VAR]
    from_dlt: object = dlt.secrets.get(KEY_SECRET_NAME)
    if from_dlt:
        return str(from_dlt)
    if data_dir is not None and key_file(data_dir).is_file():
        return key_file(data_dir).read_text(encoding="utf-8").strip()
    raise PiiKeyMissingError(
        f"no PII hashing key: set {KEY_ENV_VAR}, the dlt secret {KEY_SECRET_NAME}, "
        "or call ensure_pii_key(data_dir) to generate a local one"
    )


def ensure_pii_key(data_dir: DataDir) -> str:
    """Return the configured key, generating ``<data dir>/secrets/pii_hmac.key`` on first use."""
    try:
        return load_pii_key(data_dir)
    except PiiKeyMissingError:
        path = key_file(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
        return load_pii_key(data_dir)


def email_sql(value: str) -> str:
    """SQL normalising an e-mail: no whitespace, lower case; NULL when it is not an address."""
    cleaned = f"lower(regexp_replace({value}, '\\s+', '', 'g'))"
    return f"CASE WHEN regexp_full_match({cleaned}, '[^@]+@[^@]+\\.[^@]+') THEN {cleaned} END"


def phone_sql(value: str, country: str | None) -> str:
    """SQL normalising a phone number to E.164 (``+33612345678``); NULL when it cannot be one.

    National numbers (leading 0) take the calling code of ``country`` (an ISO code column), or of
    France when the country is unknown.
    """
    digits = f"regexp_replace(replace({value}, '(0)', ''), '[^0-9+]', '', 'g')"
    country_code = f"upper(coalesce({country}, '{DEFAULT_COUNTRY}'))" if country else f"'{DEFAULT_COUNTRY}'"
    calling = " ".join(f"WHEN '{iso}' THEN '{code}'" for iso, code in CALLING_CODES.items())
    e164 = (
        f"CASE WHEN {digits} LIKE '+%' THEN '+' || replace(substr({digits}, 2), '+', '') "
        f"WHEN {digits} LIKE '00%' THEN '+' || replace(substr({digits}, 3), '+', '') "
        f"ELSE '+' || (CASE {country_code} {calling} END) "
        f"|| regexp_replace(replace({digits}, '+', ''), '^0', '') END"
    )
    return f"CASE WHEN regexp_full_match({e164}, '\\+[1-9][0-9]{{6,14}}') THEN {e164} END"


def _pads(key: str) -> tuple[str, str]:
    raw = key.encode("utf-8")
    if len(raw) > _SHA256_BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_SHA256_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw).hex(), bytes(b ^ 0x5C for b in raw).hex()


def register_pii_macros(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Define ``pii_email(v)``, ``pii_phone(v, country)`` and ``pii_hmac(v)`` on a DuckDB connection."""
    inner, outer = _pads(key)
    con.execute(f"CREATE OR REPLACE TEMP MACRO pii_email(v) AS ({email_sql('v')})")
    con.execute(f"CREATE OR REPLACE TEMP MACRO pii_phone(v, country) AS ({phone_sql('v', 'country')})")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pii_hmac(v) AS "
        f"(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(v)))))"
    )


def _evaluate(expression: str, params: list[str | None], key: str) -> str | None:
    con = engine.connect()
    try:
        register_pii_macros(con, key)
        row = con.execute(f"SELECT {expression}", params).fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


def normalise_email(value: str | None) -> str | None:
    """The normalised form of an e-mail address, as the warehouse stores it."""
    return _evaluate("pii_email($1::VARCHAR)", [value], key="")


def normalise_phone(value: str | None, country: str | None = None) -> str | None:
    """The E.164 form of a phone number, as the warehouse stores it."""
    return _evaluate("pii_phone($1::VARCHAR, $2::VARCHAR)", [value, country], key="")


def hash_email(value: str | None, key: str) -> str | None:
    """The ``email_hash`` join key of an e-mail address."""
    return _evaluate("pii_hmac(pii_email($1::VARCHAR))", [value], key)


def hash_phone(value: str | None, key: str, country: str | None = None) -> str | None:
    """The ``phone_hash`` join key of a phone number."""
    return _evaluate("pii_hmac(pii_phone($1::VARCHAR, $2::VARCHAR))", [value, country], key)
