"""One simulated day of every person, vectorised: exposures, actions and stage changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.config import (
    CHANNEL_LIFT,
    CHANNELS,
    PERSONA_CHANNEL_AFFINITY,
    PERSONA_PROFILES,
    PERSONAS,
    SimulationConfig,
)
from simulator.population import Population
from simulator.randomness import Stream, stream
from simulator.stages import buying_cycle, funnel_stage
from simulator.state import (
    CONSENT_ADS,
    CONSENT_EMAIL,
    CONSENT_SMS,
    CUSTOMER,
    DAY_MS,
    EVANGELIST,
    LAPSED,
    LEAD,
    NEVER,
    JourneyState,
    start_epoch_ms,
)
from simulator.world import STORES, World

BROWSE, RESEARCH, PURCHASE, CLICK = range(4)
EMAIL, SMS = CHANNELS.index("email"), CHANNELS.index("sms")
ADS_CHANNELS = [CHANNELS.index(c) for c in ("paid_social", "display", "affiliate")]
NEGATIVE, NEUTRAL, POSITIVE = range(3)
MOMENTS: tuple[str, ...] = ("order_received", "call_centre", "store_visit", "newsletter_unsubscribe")
ORDER_RECEIVED, CALL_CENTRE, STORE_VISIT, NEWSLETTER_UNSUBSCRIBE = range(4)


@dataclass(frozen=True)
class PersonaTable:
    """Persona profiles as arrays indexed by persona number."""

    web_rate: np.ndarray
    store_visit_rate: np.ndarray
    buy_rate: np.ndarray
    store_share: np.ndarray
    social_rate: np.ndarray
    promoter_bias: np.ndarray
    defers_to_store: np.ndarray
    defers_to_web: np.ndarray
    affinity: np.ndarray  #: [persona, channel]

    @classmethod
    def build(cls) -> PersonaTable:
        """Gather PERSONA_PROFILES and PERSONA_CHANNEL_AFFINITY into arrays."""
        profiles = [PERSONA_PROFILES[p] for p in PERSONAS]
        return cls(
            web_rate=np.array([p.web_rate for p in profiles]),
            store_visit_rate=np.array([p.store_visit_rate for p in profiles]),
            buy_rate=np.array([p.buy_rate for p in profiles]),
            store_share=np.array([p.store_share for p in profiles]),
            social_rate=np.array([p.social_rate for p in profiles]),
            promoter_bias=np.array([p.promoter_bias for p in profiles]),
            defers_to_store=np.array([p.defer_purchase == "ropo" for p in profiles]),
            defers_to_web=np.array([p.defer_purchase == "showroom" for p in profiles]),
            affinity=np.array([PERSONA_CHANNEL_AFFINITY[p] for p in PERSONAS], dtype=np.float32),
        )


@dataclass(frozen=True)
class WebSessions:
    """The day's web sessions of people (one at most per person), sorted by person."""

    person: np.ndarray
    reason: np.ndarray  #: BROWSE, RESEARCH, PURCHASE or CLICK
    channel: np.ndarray  #: channel clicked through, -1 for direct / organic visits
    campaign: np.ndarray  #: campaign id of the click, -1 when none
    n_views: np.ndarray  #: product views
    cart: np.ndarray
    purchase: np.ndarray
    sign_up: np.ndarray
    store_locator: np.ndarray


@dataclass(frozen=True)
class EmailSends:
    """Marketing e-mails sent today and what became of them."""

    person: np.ndarray
    campaign: np.ndarray
    bounced: np.ndarray
    opened: np.ndarray
    clicked: np.ndarray
    unsubscribed: np.ndarray


@dataclass(frozen=True)
class Surveys:
    """Survey answers given today."""

    person: np.ndarray
    moment: np.ndarray  #: index into MOMENTS
    is_nps: np.ndarray
    score: np.ndarray
    store: np.ndarray  #: store of a store visit, -1 otherwise


@dataclass(frozen=True)
class DayActivity:
    """Everything people did on one day, for the source writers and the ground truth."""

    day: int
    sessions: WebSessions
    store_buyer: np.ndarray
    store_of_purchase: np.ndarray
    card_scanned: np.ndarray
    emails: EmailSends
    mention_author: np.ndarray
    mention_sentiment: np.ndarray
    surveys: Surveys
    ticket_person: np.ndarray
    ticket_after_web_purchase: np.ndarray
    new_contacts: np.ndarray
    updated_contacts: np.ndarray
    stage_changed: np.ndarray  #: people whose stage or buying cycle changed today


def lifted(probability: np.ndarray, odds_ratio: np.ndarray) -> np.ndarray:
    """Probability after multiplying its odds by ``odds_ratio``."""
    odds = probability / np.maximum(1.0 - probability, 1e-9) * odds_ratio
    return odds / (1.0 + odds)


def simulate_day(
    config: SimulationConfig, world: World, population: Population, state: JourneyState, day: int
) -> DayActivity:
    """Advance every person by one day, update ``state`` in place and return the day's actions."""
    rng = stream(config.seed, Stream.JOURNEY, day)
    personas = PersonaTable.build()
    persona = population.persona
    exposed, emails, clicked_channel = _exposures(config, world, population, state, personas, day, rng)
    lift = np.prod(np.where(exposed, np.array([CHANNEL_LIFT[c] for c in CHANNELS], np.float32), 1), axis=1)
    state.aware |= exposed.any(axis=1) | (rng.random(len(persona)) < config.discovery_rate)
    store_buy, web_buy, research, showroom = _purchases(config, population, state, personas, lift, day, rng)
    sessions = _web_sessions(
        config,
        population,
        state,
        personas,
        lift,
        web_buy,
        research,
        clicked_channel,
        world.campaigns.active_on(day),
        rng,
    )
    visits = _store_visits(population, state, personas, rng) | showroom
    store_buyer = np.flatnonzero(store_buy)
    scan_draw = rng.random(len(store_buyer))
    mention_author, sentiment = _mentions(population, state, personas, lift, rng)
    ticket_person, ticket_web = _tickets(config, state, store_buyer, np.flatnonzero(web_buy), rng)
    new_contacts, updated = _crm_changes(config, population, state, sessions, store_buyer, emails, day, rng)
    card_scanned = state.has_card[store_buyer] & (scan_draw < config.card_scan_rate)
    surveys = _surveys(config, population, state, personas, store_buyer, sessions, ticket_person, emails, rng)
    _record_facts(
        config,
        state,
        sessions,
        store_buy | web_buy,
        visits,
        mention_author,
        sentiment,
        surveys,
        ticket_person,
        day,
    )
    _promoters_become_evangelists(state, surveys, updated)
    # The sales summary on the contact (last activity, purchases) changed: HubSpot moves the
    # contact's lastmodifieddate, so the day's incremental export carries it.
    updated |= state.in_crm & (state.last_activity_day == day)
    return DayActivity(
        day=day,
        sessions=sessions,
        store_buyer=store_buyer,
        store_of_purchase=_purchase_stores(config, population, store_buyer, rng),
        card_scanned=card_scanned,
        emails=emails,
        mention_author=mention_author,
        mention_sentiment=sentiment,
        surveys=surveys,
        ticket_person=ticket_person,
        ticket_after_web_purchase=ticket_web,
        new_contacts=new_contacts,
        updated_contacts=np.setdiff1d(np.flatnonzero(updated), new_contacts),
        stage_changed=update_stages(config, state, day),
    )


def update_stages(config: SimulationConfig, state: JourneyState, day: int) -> np.ndarray:
    """Recompute stages at the end of ``day``; return the people whose stage or cycle changed."""
    stage = funnel_stage(state, day, config)
    cycle = buying_cycle(stage, state.in_crm)
    changed = np.flatnonzero((stage != state.stage) | (cycle != state.cycle))
    state.stage, state.cycle = stage, cycle
    return changed


def _exposures(
    config: SimulationConfig,
    world: World,
    population: Population,
    state: JourneyState,
    personas: PersonaTable,
    day: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, EmailSends, np.ndarray]:
    """Channel exposures that count for the lift, e-mail sends, and the channel clicked (-1 none)."""
    n = population.size
    active = world.campaigns.active_on(day)
    base = np.array(config.channel_exposure_rate, np.float32)
    base = base * np.where(active >= 0, 1.0, config.off_campaign_exposure_factor).astype(np.float32)
    probability = personas.affinity[population.persona] * base
    probability[:, EMAIL] *= state.in_crm & state.consent[:, CONSENT_EMAIL] & (active[EMAIL] >= 0)
    probability[:, SMS] *= state.in_crm & state.consent[:, CONSENT_SMS]
    probability[:, ADS_CHANNELS] *= np.where(state.consent[:, CONSENT_ADS], 1.0, 0.3)[:, None]
    exposed = rng.random((n, len(CHANNELS)), dtype=np.float32) < probability
    emails = _email_outcomes(config, np.flatnonzero(exposed[:, EMAIL]), active[EMAIL], rng)
    exposed[:, EMAIL] = False
    exposed[emails.person[emails.opened], EMAIL] = True
    clicks = exposed & (rng.random((n, len(CHANNELS)), dtype=np.float32) < config.ad_click_rate)
    clicks[:, EMAIL] = False
    clicks[emails.person[emails.clicked], EMAIL] = True
    clicked_channel = np.where(clicks.any(axis=1), clicks.argmax(axis=1), -1).astype(np.int8)
    return exposed, emails, clicked_channel


def _email_outcomes(
    config: SimulationConfig, person: np.ndarray, campaign: int, rng: np.random.Generator
) -> EmailSends:
    draws = rng.random((4, len(person)))
    bounced = draws[0] < config.email_bounce_rate
    opened = ~bounced & (draws[1] < config.email_open_rate)
    return EmailSends(
        person=person,
        campaign=np.full(len(person), campaign, dtype=np.int64),
        bounced=bounced,
        opened=opened,
        clicked=opened & (draws[2] < config.email_click_rate),
        unsubscribed=~bounced & (draws[3] < config.email_unsubscribe_rate),
    )


def _purchases(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    personas: PersonaTable,
    lift: np.ndarray,
    day: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Who buys in store / on the web today, who researches for a later store purchase, who showrooms."""
    n = population.size
    persona = population.persona
    customer = state.purchase_count > 0
    considering = state.prev_view_day >= day - config.consideration_window_days
    factor = np.select(
        [customer & (state.stage == LAPSED), customer, considering, state.aware],
        [config.lapsed_buy_factor, 1.0, config.prospect_buy_factor, config.aware_buy_factor],
        default=0.0,
    )
    due = state.scheduled_day == day
    intent = (state.scheduled_day < day) & (rng.random(n) < lifted(personas.buy_rate[persona] * factor, lift))
    in_store = rng.random(n) < personas.store_share[persona]
    research = intent & in_store & personas.defers_to_store[persona]
    showroom = intent & ~in_store & personas.defers_to_web[persona]
    deferred = research | showroom
    state.scheduled_day[due] = NEVER
    state.scheduled_day[deferred] = day + rng.integers(1, config.deferred_purchase_max_days + 1, n)[deferred]
    state.scheduled_in_store[deferred] = research[deferred]
    store_buy = (intent & in_store & ~research) | (due & state.scheduled_in_store)
    web_buy = (intent & ~in_store & ~showroom) | (due & ~state.scheduled_in_store)
    return store_buy, web_buy, research, showroom


def _web_sessions(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    personas: PersonaTable,
    lift: np.ndarray,
    web_buy: np.ndarray,
    research: np.ndarray,
    clicked_channel: np.ndarray,
    active_campaigns: np.ndarray,
    rng: np.random.Generator,
) -> WebSessions:
    n = population.size
    persona = population.persona
    uses_web = personas.web_rate[persona] > 0
    browse = state.aware & (rng.random(n) < personas.web_rate[persona])
    prospect_research = (
        browse
        & (state.purchase_count == 0)
        & (rng.random(n) < lifted(np.full(n, config.research_view_rate), lift))
    )
    reason = np.select(
        [web_buy, research | prospect_research, clicked_channel >= 0],
        [PURCHASE, RESEARCH, CLICK],
        default=BROWSE,
    )
    person = np.flatnonzero(uses_web & (web_buy | research | browse | (clicked_channel >= 0)))
    reason = reason[person].astype(np.int8)
    k = len(person)
    mean_views = np.array([config.view_items_mean, 2.0, 1.5, 1.2])[reason]
    n_views = rng.poisson(mean_views) + np.array([0, 2, 1, 0])[reason]
    channel = clicked_channel[person]
    purchase = reason == PURCHASE
    return WebSessions(
        person=person,
        reason=reason,
        channel=channel,
        campaign=np.where(channel >= 0, active_campaigns[np.maximum(channel, 0)], -1),
        n_views=n_views.astype(np.int16),
        cart=purchase | (rng.random(k) < config.cart_rate),
        purchase=purchase,
        sign_up=~state.in_crm[person]
        & population.has_email[person]
        & (purchase & (rng.random(k) < 0.5) | (rng.random(k) < config.sign_up_rate)),
        store_locator=rng.random(k) < np.where(research[person], 0.7, 0.03),
    )


def _store_visits(
    population: Population, state: JourneyState, personas: PersonaTable, rng: np.random.Generator
) -> np.ndarray:
    """Store visits without purchase (seen by no system)."""
    return state.aware & (rng.random(population.size) < personas.store_visit_rate[population.persona])


def _purchase_stores(
    config: SimulationConfig, population: Population, buyer: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Home store mostly, another store for ``other_store_rate`` of purchases."""
    other = rng.random(len(buyer)) < config.other_store_rate
    elsewhere = rng.integers(0, len(STORES), len(buyer))
    return np.where(other, elsewhere, population.home_store[buyer]).astype(np.int16)


def _mentions(
    population: Population,
    state: JourneyState,
    personas: PersonaTable,
    lift: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """People posting about the brand today, and the true sentiment of their post."""
    n = population.size
    persona = population.persona
    rate = personas.social_rate[persona]
    rate = np.where(state.purchase_count > 0, lifted(rate, lift), rate)
    author = np.flatnonzero(population.has_handle & state.aware & (rng.random(n) < rate))
    bias = personas.promoter_bias[persona[author]]
    positive = 1 / (1 + np.exp(-(0.3 + 0.6 * bias)))
    negative = 1 / (1 + np.exp(1.5 + 0.6 * bias))
    draw = rng.random(len(author))
    sentiment = np.select([draw < positive, draw > 1 - negative], [POSITIVE, NEGATIVE], default=NEUTRAL)
    return author, sentiment.astype(np.int8)


def _tickets(
    config: SimulationConfig,
    state: JourneyState,
    store_buyer: np.ndarray,
    web_buyer: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Service cases opened today (by CRM contacts), and whether each follows a web purchase."""
    web = web_buyer[rng.random(len(web_buyer)) < config.ticket_rate]
    store = store_buyer[rng.random(len(store_buyer)) < config.ticket_rate / 4]
    person = np.concatenate([web, store])
    after_web = np.concatenate([np.ones(len(web), bool), np.zeros(len(store), bool)])
    keep = state.in_crm[person]
    order = np.argsort(person[keep], kind="stable")
    return person[keep][order], after_web[keep][order]


def _crm_changes(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    sessions: WebSessions,
    store_buyer: np.ndarray,
    emails: EmailSends,
    day: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Create contacts (sign-ups, web buyers, loyalty enrolments) and apply CRM updates."""
    n = population.size
    updated = np.zeros(n, dtype=bool)
    enrols = store_buyer[rng.random(len(store_buyer)) < config.loyalty_enrol_rate]
    web_buyers = sessions.person[sessions.purchase]
    joining = np.zeros(n, dtype=bool)
    joining[np.concatenate([sessions.person[sessions.sign_up], web_buyers, enrols])] = True
    new_contacts = np.flatnonzero(joining & ~state.in_crm)
    day_ms = start_epoch_ms(config) + day * DAY_MS
    state.in_crm[new_contacts] = True
    state.crm_created_ms[new_contacts] = day_ms + rng.integers(
        7 * 3_600_000, 21 * 3_600_000, len(new_contacts)
    )
    state.consent_updated_ms[new_contacts] = state.crm_created_ms[new_contacts, None]
    state.lifecycle[new_contacts] = LEAD
    state.has_account[np.concatenate([sessions.person[sessions.sign_up], web_buyers])] = True
    updated[enrols[~state.has_card[enrols]]] = True
    state.has_card[enrols] = True
    buyers = np.concatenate([web_buyers, store_buyer])
    upgrade = buyers[state.in_crm[buyers] & (state.lifecycle[buyers] < CUSTOMER)]
    state.lifecycle[upgrade] = CUSTOMER
    updated[upgrade] = True
    _withdraw_consents(config, state, emails, updated, day_ms, rng)
    return new_contacts, updated


def _withdraw_consents(
    config: SimulationConfig,
    state: JourneyState,
    emails: EmailSends,
    updated: np.ndarray,
    day_ms: int,
    rng: np.random.Generator,
) -> None:
    n = len(updated)
    kind = rng.integers(0, 4, n)
    withdrawing = state.in_crm & (rng.random(n) < config.consent_withdrawal_rate)
    withdrawing &= state.consent[np.arange(n), kind]
    people = np.flatnonzero(withdrawing)
    unsubscribed = emails.person[emails.unsubscribed]
    people_kinds = [(people, kind[people]), (unsubscribed, np.full(len(unsubscribed), CONSENT_EMAIL))]
    for who, which in people_kinds:
        state.consent[who, which] = False
        state.consent_updated_ms[who, which] = day_ms + 20 * 3_600_000
        updated[who] = True


def _surveys(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    personas: PersonaTable,
    store_buyer: np.ndarray,
    sessions: WebSessions,
    ticket_person: np.ndarray,
    emails: EmailSends,
    rng: np.random.Generator,
) -> Surveys:
    """Survey answers after purchases, service calls and unsubscriptions (CRM contacts only)."""
    web_buyer = sessions.person[sessions.purchase]
    unsubscribed = emails.person[emails.unsubscribed]
    groups = [
        (web_buyer, ORDER_RECEIVED, config.survey_rate),
        (store_buyer, STORE_VISIT, config.survey_rate),
        (ticket_person, CALL_CENTRE, 0.3),
        (unsubscribed, NEWSLETTER_UNSUBSCRIBE, 0.2),
    ]
    people, moments, stores = [], [], []
    for who, moment, rate in groups:
        chosen = who[(rng.random(len(who)) < rate) & state.in_crm[who]]
        people.append(chosen)
        moments.append(np.full(len(chosen), moment, dtype=np.int8))
        stores.append(population.home_store[chosen] if moment == STORE_VISIT else np.full(len(chosen), -1))
    person = np.concatenate(people)
    bias = personas.promoter_bias[population.persona[person]]
    is_nps = rng.random(len(person)) < 0.6
    nps = np.clip(np.round(rng.normal(7.2 + bias, 2.0)), 0, 10)
    csat = np.clip(np.round(rng.normal(3.8 + bias / 2, 1.0)), 1, 5)
    return Surveys(
        person=person,
        moment=np.concatenate(moments),
        is_nps=is_nps,
        score=np.where(is_nps, nps, csat).astype(np.int8),
        store=np.concatenate(stores).astype(np.int16),
    )


def _record_facts(
    config: SimulationConfig,
    state: JourneyState,
    sessions: WebSessions,
    bought: np.ndarray,
    visits: np.ndarray,
    mention_author: np.ndarray,
    sentiment: np.ndarray,
    surveys: Surveys,
    ticket_person: np.ndarray,
    day: int,
) -> None:
    """Update the facts the stage rules read: views, carts, purchases, advocacy, activity."""
    viewers = sessions.person[sessions.n_views > 0]
    several = sessions.n_views[sessions.n_views > 0] >= 2
    state.prev_view_day[viewers] = np.where(several, day, state.last_view_day[viewers])
    state.last_view_day[viewers] = day
    state.last_cart_day[sessions.person[sessions.cart]] = day
    buyers = np.flatnonzero(bought)
    repeat = (state.purchase_count[buyers] > 0) & (
        day - state.last_purchase_day[buyers] <= config.loyalty_window_days
    )
    state.loyal[buyers[repeat]] = True
    state.purchase_count[buyers] += 1
    state.last_purchase_day[buyers] = day
    promoters = surveys.person[surveys.is_nps & (surveys.score >= 9)]
    champions = np.concatenate([mention_author[sentiment == POSITIVE], promoters])
    state.advocate[champions[state.purchase_count[champions] > 0]] = True
    active = [sessions.person, buyers, np.flatnonzero(visits), mention_author, surveys.person, ticket_person]
    state.last_activity_day[np.concatenate(active)] = day
    state.aware[np.concatenate(active)] = True


def _promoters_become_evangelists(state: JourneyState, surveys: Surveys, updated: np.ndarray) -> None:
    """The CRM marks NPS promoters who are customers as evangelists."""
    promoters = surveys.person[surveys.is_nps & (surveys.score >= 9)]
    promoters = promoters[(state.lifecycle[promoters] == CUSTOMER)]
    state.lifecycle[promoters] = EVANGELIST
    updated[promoters] = True
