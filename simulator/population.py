"""The simulated people: persona, demographics, identifiers, devices and consent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.config import PERSONA_PROFILES, PERSONAS, SimulationConfig
from simulator.identity import (
    contact_id,
    duplicate_contact_id,
    loyalty_card_number,
    phone_number,
)
from simulator.randomness import Stream, stream
from simulator.world import STORES

AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_BAND_WEIGHTS = np.array([0.12, 0.22, 0.22, 0.19, 0.15, 0.10])
GENDERS: tuple[str, ...] = ("female", "male", "other")
PREFERRED_CHANNELS: tuple[str, ...] = ("email", "sms", "social", "phone", "offline")
FIRST_NAMES: tuple[tuple[str, ...], ...] = (
    (
        "Marie",
        "Camille",
        "Lea",
        "Manon",
        "Chloe",
        "Sarah",
        "Julie",
        "Emma",
        "Ines",
        "Claire",
        "Sophie",
        "Lucie",
        "Anais",
        "Pauline",
        "Nathalie",
        "Isabelle",
        "Helene",
        "Charlotte",
        "Alice",
        "Zoe",
    ),
    (
        "Thomas",
        "Nicolas",
        "Julien",
        "Maxime",
        "Antoine",
        "Lucas",
        "Hugo",
        "Louis",
        "Pierre",
        "Alexandre",
        "Romain",
        "Mathieu",
        "Kevin",
        "Yanis",
        "Paul",
        "Olivier",
        "Sebastien",
        "David",
        "Arthur",
        "Jules",
    ),
)
LAST_NAMES: tuple[str, ...] = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "Francois",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
)
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "mail.example", "example.fr", "example.net")
DEVICE_PROFILES: tuple[tuple[str, str, str, str], ...] = (
    ("mobile", "Apple", "iOS", "Safari"),
    ("mobile", "Samsung", "Android", "Chrome"),
    ("desktop", "(not set)", "Windows", "Chrome"),
    ("desktop", "Apple", "Macintosh", "Safari"),
    ("tablet", "Apple", "iOS", "Safari"),
)
DEVICE_WEIGHTS = np.array([0.35, 0.25, 0.22, 0.12, 0.06])
DUPLICATE_NONE, DUPLICATE_CASE_SPACES, DUPLICATE_SECOND_ADDRESS = 0, 1, 2


@dataclass(frozen=True)
class Population:
    """One entry per person (index = person_id); attributes fixed for the whole simulation."""

    persona: np.ndarray
    age_band: np.ndarray
    gender: np.ndarray
    home_store: np.ndarray
    preferred_channel: np.ndarray
    n_devices: np.ndarray
    device_profile: np.ndarray  #: [person, device slot] index into DEVICE_PROFILES
    has_email: np.ndarray
    has_phone: np.ndarray
    has_handle: np.ndarray
    handle_known_to_crm: np.ndarray
    family_group: np.ndarray  #: family number sharing one e-mail, -1 for none
    duplicate_kind: np.ndarray  #: DUPLICATE_* kind of the second CRM contact
    duplicate_typo: np.ndarray  #: the duplicate contact's name has a typo
    birth_day_offset: np.ndarray  #: days before start_date of the date of birth
    firstname: pa.Array
    lastname: pa.Array
    email: pa.Array  #: as written in the primary contact (family e-mail for family members)
    duplicate_email: pa.Array  #: e-mail of the duplicate contact
    phone: pa.Array
    loyalty_card: pa.Array
    social_handle: pa.Array
    contact_id: pa.Array
    duplicate_contact_id: pa.Array

    @property
    def size(self) -> int:
        """Number of people."""
        return len(self.persona)


def build_population(config: SimulationConfig) -> Population:
    """Draw every person's fixed attributes from the seed (vectorised)."""
    rng = stream(config.seed, Stream.POPULATION)
    n = config.customers
    shares = np.array([PERSONA_PROFILES[p].share for p in PERSONAS])
    persona = rng.choice(len(PERSONAS), n, p=shares / shares.sum()).astype(np.int8)
    gender = rng.choice(3, n, p=[0.52, 0.46, 0.02]).astype(np.int8)
    store_weights = np.array([s.weight for s in STORES])
    n_devices = rng.integers(1, config.max_devices + 1, n).astype(np.int8)
    first_index = rng.integers(0, len(FIRST_NAMES[0]), n)
    last_index = rng.integers(0, len(LAST_NAMES), n)
    family_group = _family_groups(rng, n, config.family_email_rate)
    duplicate_kind = np.where(
        rng.random(n) < config.duplicate_contact_rate,
        rng.integers(DUPLICATE_CASE_SPACES, DUPLICATE_SECOND_ADDRESS + 1, n),
        DUPLICATE_NONE,
    ).astype(np.int8)
    duplicate_kind[family_group >= 0] = DUPLICATE_NONE
    firstname, lastname = _names(gender, first_index, last_index)
    age_band = rng.choice(len(AGE_BANDS), n, p=AGE_BAND_WEIGHTS).astype(np.int8)
    email = _emails(firstname, lastname, family_group, rng)
    return Population(
        persona=persona,
        age_band=age_band,
        gender=gender,
        home_store=rng.choice(len(STORES), n, p=store_weights / store_weights.sum()).astype(np.int16),
        preferred_channel=rng.choice(5, n, p=[0.45, 0.15, 0.2, 0.05, 0.15]).astype(np.int8),
        n_devices=n_devices,
        device_profile=rng.choice(len(DEVICE_PROFILES), (n, config.max_devices), p=DEVICE_WEIGHTS).astype(
            np.int8
        ),
        has_email=(rng.random(n) < config.email_rate) | (family_group >= 0),
        has_phone=rng.random(n) < config.phone_rate,
        has_handle=rng.random(n) < config.social_handle_rate,
        handle_known_to_crm=rng.random(n) < config.handle_known_to_crm_rate,
        family_group=family_group,
        duplicate_kind=duplicate_kind,
        duplicate_typo=rng.random(n) < config.name_typo_rate,
        birth_day_offset=_birth_day_offsets(rng, age_band),
        firstname=firstname,
        lastname=lastname,
        email=email,
        duplicate_email=_duplicate_emails(firstname, lastname, email, duplicate_kind, rng),
        phone=phone_number(np.arange(n)),
        loyalty_card=loyalty_card_number(np.arange(n)),
        social_handle=_handles(firstname, lastname),
        contact_id=contact_id(np.arange(n), n),
        duplicate_contact_id=duplicate_contact_id(np.arange(n), n),
    )


def _family_groups(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Number consecutive runs of 2-5 people among a random ``rate`` share as families."""
    group = np.full(n, -1, dtype=np.int64)
    members = np.flatnonzero(rng.random(n) < rate)
    sizes = rng.integers(2, 6, max(1, len(members) // 2))
    labels = np.repeat(np.arange(len(sizes)), sizes)[: len(members)]
    if len(labels) and np.sum(labels == labels[-1]) == 1:
        labels[-1] = -1  # a family of one is no family
    group[members] = labels
    return group


def _names(gender: np.ndarray, first_index: np.ndarray, last_index: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """First names by gender (male list for men), last names from one list."""
    first_names = pa.array([*FIRST_NAMES[0], *FIRST_NAMES[1]], pa.string())
    first = first_names.take(pa.array(first_index + np.where(gender == 1, len(FIRST_NAMES[0]), 0)))
    return first, pa.array(LAST_NAMES, pa.string()).take(pa.array(last_index))


def _emails(
    firstname: pa.Array, lastname: pa.Array, family: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    """``first.last<person_id>@domain`` (unique), or ``famille.last<family>@domain`` for families."""
    n = len(family)
    domain = pa.array(np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), n)])
    person_id = pc.cast(pa.array(np.arange(n)), pa.string())
    local = pc.binary_join_element_wise(pc.utf8_lower(firstname), pc.utf8_lower(lastname), ".")
    personal = pc.binary_join_element_wise(pc.binary_join_element_wise(local, person_id, ""), domain, "@")
    family_label = pc.cast(pa.array(np.maximum(family, 0)), pa.string())
    family_local = pc.binary_join_element_wise("famille", pc.utf8_lower(lastname), ".")
    family_email = pc.binary_join_element_wise(
        pc.binary_join_element_wise(family_local, "f", family_label, ""), "example.fr", "@"
    )
    return _share_family_email(pc.if_else(pa.array(family >= 0), family_email, personal), family)


def _share_family_email(email: pa.Array, family: np.ndarray) -> pa.Array:
    """Give every member of a family the e-mail of its first member."""
    members = np.flatnonzero(family >= 0)
    if len(members) == 0:
        return email
    first_of_family = members[np.searchsorted(family[members], family[members])]
    index = np.arange(len(family))
    index[members] = first_of_family
    return email.take(pa.array(index))


def _duplicate_emails(
    firstname: pa.Array, lastname: pa.Array, email: pa.Array, kind: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    """A case-and-spaces variant of the e-mail, or a second address at another domain."""
    n = len(kind)
    trailing_space = pc.binary_join_element_wise(pc.utf8_capitalize(email), " ", "")
    leading_space = pc.binary_join_element_wise(" ", pc.utf8_upper(email), "")
    variant = pc.if_else(pa.array(rng.random(n) < 0.5), trailing_space, leading_space)
    second = pc.binary_join_element_wise(
        pc.utf8_lower(firstname),
        "_",
        pc.utf8_lower(lastname),
        pc.cast(pa.array(np.arange(n)), pa.string()),
        "@gmail.example",
        "",
    )
    return pc.if_else(pa.array(kind == DUPLICATE_SECOND_ADDRESS), second, variant)


def _handles(firstname: pa.Array, lastname: pa.Array) -> pa.Array:
    n = len(firstname)
    suffix = pc.cast(pa.array(np.arange(n)), pa.string())
    stem = pc.binary_join_element_wise(
        pc.utf8_lower(firstname), pc.utf8_lower(pc.utf8_slice_codeunits(lastname, 0, 3)), "_"
    )
    return pc.binary_join_element_wise("@", stem, suffix, "")


def _birth_day_offsets(rng: np.random.Generator, age_band: np.ndarray) -> np.ndarray:
    """Days between the date of birth and the start date, consistent with the age band."""
    low_age = np.array([18, 25, 35, 45, 55, 65])[age_band]
    span = np.where(age_band == 0, 7, np.where(age_band == len(AGE_BANDS) - 1, 20, 10))
    return ((low_age + rng.random(len(age_band)) * span) * 365.25).astype(np.int64)
