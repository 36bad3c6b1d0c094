"""Identifier formats: contact ids, phones, loyalty cards and GA4 cookies.

Identifiers are built from person numbers by affine bijections modulo a power
of ten, so they look random yet never collide: two people never share a
personal identifier unless the noise makes them (families, store cards).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MULTIPLIER = np.uint64(1_640_531_527)  # odd and not a multiple of 5: invertible modulo 10**k
CONTACT_ID_SPACE = 10_000_000
MAX_PEOPLE = CONTACT_ID_SPACE - 1
TEST_CONTACT_ID = "9999999"
TEST_EMAIL = "test.caisse@parcours.example"
TEST_LOYALTY_CARD = "2990000000001"
COOKIE_SLOTS_PER_PERSON = 1000  #: cookie key = person * 1000 + device slot * 100 + generation % 100


def permute(values: np.ndarray, modulus: int, offset: int) -> np.ndarray:
    """Map ``values`` (all below ``modulus``, a power of ten) one-to-one onto ``[0, modulus)``."""
    scrambled = (values.astype(np.uint64) % np.uint64(modulus)) * _MULTIPLIER + np.uint64(offset)
    return (scrambled % np.uint64(modulus)).astype(np.int64)


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")


def contact_id(person: np.ndarray, n_people: int) -> pa.Array:
    """Primary HubSpot contact id of each person (``1xxxxxxx``)."""
    _check_size(n_people)
    return pc.cast(pa.array(CONTACT_ID_SPACE + permute(person, CONTACT_ID_SPACE, 7)), pa.string())


def duplicate_contact_id(person: np.ndarray, n_people: int) -> pa.Array:
    """Id of the person's duplicate contact, when the noise creates one (``2xxxxxxx``)."""
    _check_size(n_people)
    return pc.cast(pa.array(2 * CONTACT_ID_SPACE + permute(person, CONTACT_ID_SPACE, 4_321)), pa.string())


def phone_number(person: np.ndarray) -> pa.Array:
    """French mobile number written as ``06 12 34 56 78``."""
    digits = _digits(permute(person, 100_000_000, 12_345), 8)
    pairs = [pc.utf8_slice_codeunits(digits, start, start + 2) for start in range(0, 8, 2)]
    return pc.binary_join_element_wise("06", *pairs, " ")


def loyalty_card_number(person: np.ndarray) -> pa.Array:
    """13-digit loyalty card number ``290xxxxxxxxxx``."""
    return pc.binary_join_element_wise("290", _digits(permute(person, 10_000_000_000, 987_654), 10), "")


def store_default_card(store_index: int) -> str:
    """The shared card a store's cashiers scan for customers without one."""
    return f"2999999{store_index + 1:06d}"


def cookie_number(key: np.ndarray) -> np.ndarray:
    """The random-looking first half of a ``user_pseudo_id`` for a unique cookie key."""
    return permute(key, 10_000_000_000, 1_357_913_579)


def person_cookie_key(person: np.ndarray, slot: np.ndarray, generation: np.ndarray) -> np.ndarray:
    """Unique key of a person's cookie on a device slot after ``generation`` resets."""
    return person.astype(np.int64) * COOKIE_SLOTS_PER_PERSON + slot * 100 + generation % 100


def bot_cookie_key(bot: np.ndarray, n_people: int) -> np.ndarray:
    """Cookie keys of bots, after every person's keys."""
    return (n_people + bot.astype(np.int64)) * COOKIE_SLOTS_PER_PERSON


def session_cookie_key(session_index: np.ndarray, n_people: int, n_bots: int) -> np.ndarray:
    """Per-session cookie keys of visitors who refused analytics storage (unique within a day)."""
    return (n_people + n_bots) * COOKIE_SLOTS_PER_PERSON + session_index.astype(np.int64)


def _check_size(n_people: int) -> None:
    if n_people > MAX_PEOPLE:
        raise ValueError(f"at most {MAX_PEOPLE} people are supported, got {n_people}")
