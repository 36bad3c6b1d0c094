"""Every parameter of the simulated world, with its default and its meaning.

Vocabulary
----------
Personas (``PERSONAS``) and channels (``CHANNELS``) are fixed lists; the
per-persona and per-channel parameters below are tuples in the same order.

True journey stages (the rules the dbt project implements on observed data)
---------------------------------------------------------------------------
Day indices count from ``start_date`` (day 0). A person's funnel stage at the
end of day ``d`` is derived from everything the person really did, seen by a
system or not:

* ``awareness``: the person has been exposed to the brand (any channel
  exposure, including unobserved ad impressions) or had any contact with it.
* ``consideration``: not yet a customer, and two or more product views
  (``view_item`` events) or an add-to-cart within the last
  ``consideration_window_days`` (30) days.
* ``conversion``: at least one purchase (web or store).
* ``loyalty``: a purchase that came ``loyalty_window_days`` (365) days or
  less after the previous one (sticky).
* ``advocacy``: after a first purchase, a positive public mention or an NPS
  promoter answer (9-10) (sticky).
* ``lapsed``: a customer with no purchase and no activity for
  ``lapse_after_days`` (60) days. Activity = a web session, a store visit, a
  purchase, an e-mail click, a survey answer, a service case or a social
  mention (passive exposures and e-mail opens are not activity). Any new
  activity ends the lapse.

Precedence: lapsed > advocacy > loyalty > conversion > consideration >
awareness. A person who never met the brand has no stage (no row).

Buying cycle mapping: awareness -> ``visitor`` (unknown to the CRM) or
``cold_prospect`` (known contact); consideration -> ``warm_prospect``;
conversion, loyalty, lapsed -> ``customer``; advocacy -> ``ambassador``.

Channel effects
---------------
Every exposure to channel ``c`` multiplies the odds of the person's next
stage-advancing action that day (product research, purchase, repeat
purchase, advocacy) by ``CHANNEL_LIFT[c]``; several exposures multiply.

Existing base
-------------
The world starts with history: some people are already aware, known to the
CRM or customers (their past purchase and activity days are negative day
indices). Records are written only for simulated days; the CRM contacts
existing at the start are exported in the first simulated day's contacts
file (with their past ``createdAt``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

PERSONAS: tuple[str, ...] = (
    "brand_addict",
    "deal_hunter",
    "ropo",
    "showroomer",
    "online_only",
    "store_only",
    "one_off",
)
CHANNELS: tuple[str, ...] = (
    "email",
    "sms",
    "paid_search",
    "paid_social",
    "display",
    "affiliate",
    "organic_social",
)
FUNNEL_STAGES: tuple[str, ...] = (
    "awareness",
    "consideration",
    "conversion",
    "loyalty",
    "advocacy",
    "lapsed",
)

#: Odds ratio applied to the day's stage-advancing action per exposure to the channel.
CHANNEL_LIFT: dict[str, float] = {
    "email": 1.6,
    "sms": 1.4,
    "paid_search": 2.2,
    "paid_social": 1.3,
    "display": 1.1,
    "affiliate": 1.8,
    "organic_social": 1.2,
}

#: Per persona, multiplier of each channel's base daily exposure probability (CHANNELS order).
PERSONA_CHANNEL_AFFINITY: dict[str, tuple[float, ...]] = {
    "brand_addict": (1.5, 1.0, 1.0, 1.4, 0.8, 0.5, 2.0),
    "deal_hunter": (1.2, 1.5, 1.2, 1.0, 1.0, 2.5, 0.8),
    "ropo": (1.0, 0.8, 1.5, 1.0, 1.2, 0.8, 1.0),
    "showroomer": (0.8, 0.6, 1.5, 1.2, 1.0, 1.2, 1.0),
    "online_only": (1.2, 0.5, 1.3, 1.5, 1.2, 1.5, 1.2),
    "store_only": (0.6, 1.5, 0.2, 0.5, 0.6, 0.1, 0.5),
    "one_off": (0.5, 0.5, 0.8, 0.8, 1.0, 0.8, 0.5),
}


@dataclass(frozen=True)
class PersonaProfile:
    """Behaviour of one persona (daily probabilities apply to aware people)."""

    share: float  #: share of the population
    web_rate: float  #: daily probability of a browsing web session
    store_visit_rate: float  #: daily probability of a store visit without purchase
    buy_rate: float  #: daily purchase probability of a customer (prospects: a fraction of it)
    store_share: float  #: share of purchases made in store
    social_rate: float  #: daily probability of a public mention (people with a handle)
    promoter_bias: float  #: shift of the NPS / CSAT answers (positive = happier)
    initial_customer: float  #: share already customers at the start
    defer_purchase: str  #: "ropo" (web research then store), "showroom" (store then web) or ""


PERSONA_PROFILES: dict[str, PersonaProfile] = {
    "brand_addict": PersonaProfile(0.10, 0.10, 0.02, 0.085, 0.55, 0.020, 2.0, 0.85, ""),
    "deal_hunter": PersonaProfile(0.18, 0.08, 0.01, 0.060, 0.45, 0.008, -0.5, 0.55, ""),
    "ropo": PersonaProfile(0.17, 0.05, 0.01, 0.060, 0.95, 0.006, 0.5, 0.55, "ropo"),
    "showroomer": PersonaProfile(0.10, 0.06, 0.03, 0.050, 0.05, 0.006, 0.0, 0.50, "showroom"),
    "online_only": PersonaProfile(0.15, 0.10, 0.00, 0.045, 0.00, 0.010, 0.0, 0.55, ""),
    "store_only": PersonaProfile(0.18, 0.00, 0.02, 0.075, 1.00, 0.003, 0.5, 0.65, ""),
    "one_off": PersonaProfile(0.12, 0.02, 0.005, 0.008, 0.50, 0.002, -1.0, 0.35, ""),
}


@dataclass(frozen=True)
class SimulationConfig:
    """Size, seed and every rate of a simulated world.

    ``customers``, ``seed`` and ``start_date`` define the world (same values,
    same people). ``first_day_index`` and ``days`` choose which days to write:
    a run with ``first_day_index=30, days=1`` continues a 30-day run into the
    same folders, writing day 30 and the late rewrites of GA4 days 27-29.
    """

    customers: int = 10_000
    days: int = 30
    seed: int = 42
    start_date: date = date(2026, 10, 1)
    malformed_rate: float = 0.001  #: share of the lines of every daily file written malformed
    first_day_index: int = 0  #: index of the first day to simulate (>0 continues an earlier run)
    show_progress: bool = True  #: rich progress bar on stderr when it is a terminal

    # --- world -----------------------------------------------------------------------
    n_products: int = 400  #: catalogue size
    campaign_horizon_days: int = 730  #: campaigns are planned this far from start_date

    # --- population -------------------------------------------------------------------
    initial_aware_rate: float = 0.75  #: share of non-customers already aware at the start
    initial_crm_prospect_rate: float = 0.30  #: share of aware non-customers already CRM contacts
    initial_crm_customer_rate: float = 0.85  #: share of customers already CRM contacts
    email_rate: float = 0.92  #: share of people with a personal e-mail address
    phone_rate: float = 0.70  #: share of CRM contacts whose phone the CRM knows
    loyalty_card_rate: float = 0.60  #: share of store customers holding a loyalty card
    social_handle_rate: float = 0.30  #: share of people with a public social handle
    handle_known_to_crm_rate: float = 0.50  #: share of handles the CRM knows
    consent_email_rate: float = 0.65
    consent_sms_rate: float = 0.35
    consent_analytics_rate: float = 0.75
    consent_ads_rate: float = 0.60
    max_devices: int = 3  #: devices per person, 1..max_devices

    # --- stage rules (see the module docstring) ------------------------------------------
    consideration_window_days: int = 30
    loyalty_window_days: int = 365
    lapse_after_days: int = 60

    # --- behaviour --------------------------------------------------------------------
    discovery_rate: float = 0.004  #: daily chance that an unaware person meets the brand unprompted
    prospect_buy_factor: float = 0.25  #: purchase rate of considering prospects relative to customers
    aware_buy_factor: float = 0.05  #: purchase rate of merely aware prospects relative to customers
    lapsed_buy_factor: float = 0.2  #: purchase rate of lapsed customers relative to active ones
    research_view_rate: float = 0.35  #: chance a browsing prospect's session is product research
    cart_rate: float = 0.15  #: chance a browsing session adds to cart without buying
    deferred_purchase_max_days: int = 5  #: ROPO / showrooming delay between research and purchase
    other_store_rate: float = 0.10  #: share of store purchases outside the home store
    return_rate: float = 0.05  #: share of store orders partly returned within 14 days
    survey_rate: float = 0.04  #: chance a purchase is followed by a survey answer
    ticket_rate: float = 0.03  #: chance a web purchase leads to a service case
    sign_up_rate: float = 0.03  #: chance an unknown web visitor signs up
    loyalty_enrol_rate: float = 0.25  #: chance an unknown store buyer enrols in the loyalty programme
    login_rate: float = 0.55  #: chance a session of a person with an account is logged in
    card_scan_rate: float = 0.70  #: chance a card holder's card is scanned at the till
    receipt_email_rate: float = 0.10  #: chance a store receipt is e-mailed
    consent_withdrawal_rate: float = 0.0005  #: daily chance a contact withdraws a consent

    # --- channels ---------------------------------------------------------------------
    channel_exposure_rate: tuple[float, ...] = (0.12, 0.03, 0.02, 0.05, 0.06, 0.01, 0.03)
    #: base daily exposure probability per channel (CHANNELS order), while a campaign runs
    off_campaign_exposure_factor: float = 0.3  #: exposure multiplier when no campaign of the channel runs
    email_open_rate: float = 0.25
    email_click_rate: float = 0.15  #: share of opens clicked
    email_bounce_rate: float = 0.01
    email_unsubscribe_rate: float = 0.003
    ad_click_rate: float = 0.08  #: share of exposures (other than e-mail) that click through to the web

    # --- GA4 --------------------------------------------------------------------------
    cookie_reset_rate: float = 0.004  #: daily chance a device's cookie is cleared before a session
    late_event_rate: float = 0.02  #: share of GA4 events that arrive 1-3 days late
    bot_session_rate: float = 0.0006  #: bot sessions per person per day
    page_views_mean: float = 1.5  #: extra page views per session (Poisson mean)
    view_items_mean: float = 1.5  #: product views per browsing session (Poisson mean)

    # --- social -----------------------------------------------------------------------
    public_mention_rate: float = 0.015  #: mentions per person per day by people outside the population
    competitor_share: float = 0.35  #: share of public mentions about a competitor
    missing_sentiment_rate: float = 0.15  #: share of mentions the vendor gives no sentiment
    missing_language_rate: float = 0.05

    # --- noise ------------------------------------------------------------------------
    duplicate_contact_rate: float = 0.04  #: share of CRM people with a second contact record
    name_typo_rate: float = 0.30  #: share of duplicate contacts whose name has a typo
    family_email_rate: float = 0.03  #: share of people sharing a family e-mail address
    store_default_card_rate: float = 0.15  #: share of card-less receipts scanned with the store's card
    training_orders_per_store: float = 1.5  #: daily test transactions per store (training till)

    @property
    def last_day_index(self) -> int:
        """Index of the last simulated day of this run."""
        return self.first_day_index + self.days - 1

    def world_key(self) -> dict[str, object]:
        """The values that define the world; a continued run must share them."""
        return {"customers": self.customers, "seed": self.seed, "start_date": self.start_date.isoformat()}

    def noise_rates(self) -> dict[str, float]:
        """The noise parameters, as written to channel_effects.json."""
        keys = (
            "malformed_rate",
            "duplicate_contact_rate",
            "name_typo_rate",
            "family_email_rate",
            "store_default_card_rate",
            "training_orders_per_store",
            "cookie_reset_rate",
            "late_event_rate",
            "bot_session_rate",
            "missing_sentiment_rate",
            "missing_language_rate",
        )
        values = asdict(self)
        return {key: float(values[key]) for key in keys}
