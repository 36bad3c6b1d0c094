"""Per-person journey state carried from one day to the next, and its initial value."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from simulator.config import PERSONA_PROFILES, PERSONAS, SimulationConfig
from simulator.population import Population
from simulator.randomness import Stream, stream

NEVER = -1_000_000  #: day index meaning "never happened"
NO_STAGE = -1
AWARENESS, CONSIDERATION, CONVERSION, LOYALTY, ADVOCACY, LAPSED = range(6)
CONSENT_EMAIL, CONSENT_SMS, CONSENT_ANALYTICS, CONSENT_ADS = range(4)
CONSENT_KINDS: tuple[str, ...] = ("email", "sms", "analytics", "ads")
SUBSCRIBER, LEAD, CUSTOMER, EVANGELIST = range(4)
LIFECYCLE_STAGES: tuple[str, ...] = ("subscriber", "lead", "customer", "evangelist")
DAY_MS = 86_400_000


@dataclass
class JourneyState:
    """Mutable per-person facts; stages are derived from them (see config docstring)."""

    aware: np.ndarray
    purchase_count: np.ndarray
    last_purchase_day: np.ndarray
    loyal: np.ndarray
    advocate: np.ndarray
    last_view_day: np.ndarray
    prev_view_day: np.ndarray
    last_cart_day: np.ndarray
    last_activity_day: np.ndarray
    stage: np.ndarray  #: funnel stage index, NO_STAGE when unaware
    cycle: np.ndarray  #: buying-cycle index (stages.BUYING_CYCLES), -1 when unaware
    scheduled_day: np.ndarray  #: day of a deferred purchase (ROPO / showrooming), NEVER when none
    scheduled_in_store: np.ndarray
    in_crm: np.ndarray
    crm_created_ms: np.ndarray
    lifecycle: np.ndarray  #: HubSpot lifecycle stage index (LIFECYCLE_STAGES)
    has_account: np.ndarray  #: has a web shop account (can log in)
    has_card: np.ndarray  #: holds a loyalty card
    consent: np.ndarray  #: [person, CONSENT_KINDS]
    consent_updated_ms: np.ndarray  #: [person, CONSENT_KINDS]
    cookie_generation: np.ndarray  #: [person, device slot] number of cookie resets
    cookie_first_touch_s: np.ndarray  #: [person, device slot] first visit of the current cookie, 0 = none
    session_count: np.ndarray  #: [person, device slot] sessions of the current cookie

    def save(self, folder: Path) -> None:
        """Write every array to ``folder`` (one ``.npy`` file each)."""
        folder.mkdir(parents=True, exist_ok=True)
        for item in fields(self):
            np.save(folder / f"{item.name}.npy", getattr(self, item.name), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> JourneyState:
        """Read a state written by :meth:`save`."""
        return cls(**{item.name: np.load(folder / f"{item.name}.npy") for item in fields(cls)})


def start_epoch_ms(config: SimulationConfig) -> int:
    """Epoch milliseconds of midnight UTC of the start date."""
    start = datetime(config.start_date.year, config.start_date.month, config.start_date.day, tzinfo=UTC)
    return int(start.timestamp() * 1000)


def initial_state(config: SimulationConfig, population: Population) -> JourneyState:
    """The existing base at the start: past purchases, CRM contacts, consents and cookies."""
    rng = stream(config.seed, Stream.POPULATION, part=1)
    n = population.size
    persona = population.persona
    customer = rng.random(n) < np.array([PERSONA_PROFILES[p].initial_customer for p in PERSONAS])[persona]
    aware = customer | (rng.random(n) < config.initial_aware_rate)
    purchase_count = np.where(customer, rng.geometric(0.5, n), 0).astype(np.int32)
    last_purchase_day = np.where(customer, -rng.integers(1, 200, n), NEVER).astype(np.int32)
    last_activity_day = np.where(aware, np.maximum(last_purchase_day, -rng.integers(1, 90, n)), NEVER)
    considering = aware & ~customer & (rng.random(n) < 0.25)
    recent_view = np.where(considering, -rng.integers(1, 20, n), NEVER).astype(np.int32)
    in_crm = np.where(
        customer,
        rng.random(n) < config.initial_crm_customer_rate,
        aware & (rng.random(n) < config.initial_crm_prospect_rate),
    )
    store_buyer = np.array([PERSONA_PROFILES[p].store_share > 0 for p in PERSONAS])[persona]
    web_user = np.array([PERSONA_PROFILES[p].web_rate > 0 for p in PERSONAS])[persona]
    crm_created_ms = np.where(in_crm, start_epoch_ms(config) - rng.integers(DAY_MS, 1800 * DAY_MS, n), 0)
    has_account = in_crm & web_user & (rng.random(n) < 0.6)
    advocate = customer & (rng.random(n) < np.where(persona == 0, 0.25, 0.05))
    consent = _initial_consent(config, population, rng)
    state = JourneyState(
        aware=aware,
        purchase_count=purchase_count,
        last_purchase_day=last_purchase_day,
        loyal=purchase_count >= 2,
        advocate=advocate,
        last_view_day=recent_view,
        prev_view_day=recent_view.copy(),
        last_cart_day=np.full(n, NEVER, dtype=np.int32),
        last_activity_day=last_activity_day.astype(np.int32),
        stage=np.full(n, NO_STAGE, dtype=np.int8),
        cycle=np.full(n, NO_STAGE, dtype=np.int8),
        scheduled_day=np.full(n, NEVER, dtype=np.int32),
        scheduled_in_store=np.zeros(n, dtype=bool),
        in_crm=in_crm,
        crm_created_ms=crm_created_ms.astype(np.int64),
        lifecycle=_initial_lifecycle(customer, advocate, has_account),
        has_account=has_account,
        has_card=in_crm & customer & store_buyer & (rng.random(n) < config.loyalty_card_rate),
        consent=consent,
        consent_updated_ms=np.repeat(crm_created_ms.astype(np.int64)[:, None], 4, axis=1),
        cookie_generation=np.zeros((n, config.max_devices), dtype=np.int16),
        cookie_first_touch_s=_initial_cookies(config, aware & web_user, rng),
        session_count=np.where(aware & web_user, rng.integers(1, 20, n), 0)[:, None]
        .repeat(config.max_devices, axis=1)
        .astype(np.int32),
    )
    return state


def _initial_consent(
    config: SimulationConfig, population: Population, rng: np.random.Generator
) -> np.ndarray:
    n = population.size
    rates = np.array(
        [
            config.consent_email_rate,
            config.consent_sms_rate,
            config.consent_analytics_rate,
            config.consent_ads_rate,
        ]
    )
    consent = rng.random((n, 4)) < rates
    consent[:, CONSENT_EMAIL] &= population.has_email
    consent[:, CONSENT_SMS] &= population.has_phone
    return consent


def _initial_lifecycle(customer: np.ndarray, advocate: np.ndarray, has_account: np.ndarray) -> np.ndarray:
    lifecycle = np.where(has_account, LEAD, SUBSCRIBER)
    lifecycle = np.where(customer, CUSTOMER, lifecycle)
    return np.where(advocate, EVANGELIST, lifecycle).astype(np.int8)


def _initial_cookies(config: SimulationConfig, web_user: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    start_s = start_epoch_ms(config) // 1000
    first_touch = start_s - rng.integers(86_400, 400 * 86_400, (len(web_user), config.max_devices))
    return np.where(web_user[:, None], first_touch, 0).astype(np.int64)
