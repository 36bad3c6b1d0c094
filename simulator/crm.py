"""HubSpot exports: contacts, marketing e-mail events, feedback submissions and tickets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.config import SimulationConfig
from simulator.export import Export
from simulator.identity import TEST_CONTACT_ID, TEST_EMAIL, TEST_LOYALTY_CARD
from simulator.journeys import MOMENTS, DayActivity, EmailSends, Surveys
from simulator.population import DUPLICATE_NONE, GENDERS, PREFERRED_CHANNELS, Population
from simulator.randomness import Stream, stream
from simulator.state import CONSENT_KINDS, DAY_MS, LIFECYCLE_STAGES, NEVER, JourneyState, start_epoch_ms
from simulator.world import SHOP_URL, STORES, World

HOUR_MS = 3_600_000
EMAIL_EVENT_TYPES: tuple[str, ...] = ("SENT", "DELIVERED", "BOUNCE", "OPEN", "CLICK", "UNSUBSCRIBED")
FEEDBACK_TEXT: dict[int, tuple[str, ...]] = {
    0: ("Tres decu, personne pour m'aider", "Very disappointed with the service", "Commande incomplete"),
    1: ("Correct sans plus", "Delivery was ok", "Rien a signaler"),
    2: ("Super accueil en magasin", "Great products, fast delivery", "Vendeur tres competent"),
}
TICKET_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("delivery", "Colis non recu", "Mon colis n'est toujours pas arrive."),
    ("product", "Produit defectueux", "La fermeture eclair a casse apres une semaine."),
    ("refund", "Remboursement en attente", "J'attends le remboursement de mon retour."),
    ("store", "Question magasin", "Le magasin peut-il reserver une taille ?"),
)


def _iso_ms(column: str) -> str:
    return f"strftime(make_timestamp({column} * 1000), '%Y-%m-%dT%H:%M:%S.%gZ')"


def _iso_s(column: str) -> str:
    return f"strftime(make_timestamp({column} * 1000), '%Y-%m-%dT%H:%M:%SZ')"


# ----------------------------------------------------------------------------------------- contacts


@dataclass(frozen=True)
class SalesSummary:
    """What the CRM's e-commerce and loyalty sync knows of each person at one moment.

    HubSpot keeps it on the contact (``num_associated_deals``, ``recent_deal_close_date`` and
    ``notes_last_updated``, the last activity date): it is the only source of the purchases and
    activity that came before the first day of exported data.
    """

    purchase_count: np.ndarray
    last_purchase_day: np.ndarray
    last_activity_day: np.ndarray

    @classmethod
    def of(cls, state: JourneyState) -> SalesSummary:
        """A copy of the state's sales facts (the state changes in place day after day)."""
        return cls(
            state.purchase_count.copy(), state.last_purchase_day.copy(), state.last_activity_day.copy()
        )


def contacts_table(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    created: np.ndarray,
    updated: np.ndarray,
    day: int,
    initial_base: tuple[np.ndarray, SalesSummary] | None,
) -> pa.Table:
    """Contacts created (with their duplicates) or updated on ``day``, sorted by update time.

    ``initial_base`` (first day only): the contacts that existed before the data starts, with the
    sales summary from before that day, as the CRM held them then.
    """
    rng = stream(config.seed, Stream.CRM, day, 1)
    day_ms = start_epoch_ms(config) + day * DAY_MS
    update_ms = day_ms + rng.integers(8 * HOUR_MS, 22 * HOUR_MS, len(updated))
    today = SalesSummary.of(state)
    tables = [
        _contact_rows(
            config, population, state, today, created, state.crm_created_ms[created], duplicate=False
        ),
        _contact_rows(config, population, state, today, updated, update_ms, duplicate=False),
    ]
    if initial_base is not None:
        initial, before = initial_base
        tables.insert(
            0,
            _contact_rows(
                config, population, state, before, initial, state.crm_created_ms[initial], duplicate=False
            ),
        )
        created = np.concatenate([initial, created])
    with_duplicate = created[population.duplicate_kind[created] != DUPLICATE_NONE]
    tables.append(
        _contact_rows(
            config,
            population,
            state,
            today,
            with_duplicate,
            state.crm_created_ms[with_duplicate] + HOUR_MS,
            duplicate=True,
        )
    )
    if initial_base is not None:
        tables.append(_test_contact(config, tables[0].schema))
    table = pa.concat_tables(tables)
    return table.take(pc.sort_indices(table, [("updated_ms", "ascending"), ("id", "ascending")]))


def _contact_rows(
    config: SimulationConfig,
    population: Population,
    state: JourneyState,
    sales: SalesSummary,
    person: np.ndarray,
    updated_ms: np.ndarray,
    duplicate: bool,
) -> pa.Table:
    take = pa.array(person)
    null = pa.scalar(None, pa.string())
    birth = np.datetime64(config.start_date) - population.birth_day_offset[person].astype("timedelta64[D]")
    store = population.home_store[person]
    columns = {
        "id": (population.duplicate_contact_id if duplicate else population.contact_id).take(take),
        "created_ms": state.crm_created_ms[person] + (HOUR_MS if duplicate else 0),
        "updated_ms": updated_ms,
        "email": pc.if_else(
            pa.array(population.has_email[person]),
            (population.duplicate_email if duplicate else population.email).take(take),
            null,
        ),
        "firstname": _typo(population.firstname.take(take), population.duplicate_typo[person] & duplicate),
        "lastname": population.lastname.take(take),
        "phone": pc.if_else(
            pa.array(population.has_phone[person] & (not duplicate)), population.phone.take(take), null
        ),
        "city": pa.array([s.city for s in STORES]).take(pa.array(store)),
        "zip": pa.array([s.zip_code for s in STORES]).take(pa.array(store)),
        "gender": pa.array(GENDERS).take(pa.array(population.gender[person])),
        "date_of_birth": pa.array(birth.astype(str)),
        "loyalty_card_number": pc.if_else(
            pa.array(state.has_card[person] & (not duplicate)), population.loyalty_card.take(take), null
        ),
        "social_handle": pc.if_else(
            pa.array(
                population.has_handle[person] & population.handle_known_to_crm[person] & (not duplicate)
            ),
            population.social_handle.take(take),
            null,
        ),
        "lifecyclestage": pa.array(LIFECYCLE_STAGES).take(
            pa.array(np.where(duplicate, 0, state.lifecycle[person]))
        ),
        "preferred_channel": pa.array(PREFERRED_CHANNELS).take(
            pa.array(population.preferred_channel[person])
        ),
        "family_email": population.family_group[person] >= 0,
        "person_id": person.astype(np.int64),
        **_sales_columns(config, sales, person, duplicate),
    }
    for index, kind in enumerate(CONSENT_KINDS):
        columns[f"consent_{kind}"] = pa.array(np.where(state.consent[person, index], "granted", "denied"))
        columns[f"consent_{kind}_ms"] = state.consent_updated_ms[person, index]
    return pa.table({k: pa.array(v) if isinstance(v, np.ndarray) else v for k, v in columns.items()})


def _sales_columns(
    config: SimulationConfig, sales: SalesSummary, person: np.ndarray, duplicate: bool
) -> dict[str, pa.Array]:
    """The sales summary of the contacts (none on a duplicate: a second form fill has no sales)."""

    def noon_ms(days: np.ndarray) -> pa.Array:
        ms = start_epoch_ms(config) + days.astype(np.int64) * DAY_MS + 12 * HOUR_MS
        return pa.array(ms, pa.int64(), mask=(days == NEVER) | duplicate)

    count = sales.purchase_count[person]
    return {
        "purchase_count": pa.array(count.astype(np.int64), mask=np.full(len(person), duplicate)),
        "last_purchase_ms": noon_ms(sales.last_purchase_day[person]),
        "last_activity_ms": noon_ms(sales.last_activity_day[person]),
    }


def _typo(names: pa.Array, mask: np.ndarray) -> pa.Array:
    """Swap the second and third letters of the masked names (Marie -> Mraie)."""
    values = names.to_pylist()
    for i in np.flatnonzero(mask):
        name = values[i]
        values[i] = name[0] + name[2] + name[1] + name[3:] if len(name) > 3 else name + name[-1]
    return pa.array(values, pa.string())


def _test_contact(config: SimulationConfig, schema: pa.Schema) -> pa.Table:
    """The staff test account, used on the training tills."""
    created = start_epoch_ms(config) - 400 * DAY_MS
    row: dict[str, object] = {
        "id": TEST_CONTACT_ID,
        "created_ms": created,
        "updated_ms": created,
        "email": TEST_EMAIL,
        "firstname": "Test",
        "lastname": "Caisse",
        "phone": None,
        "city": "Paris",
        "zip": "75001",
        "gender": None,
        "date_of_birth": None,
        "loyalty_card_number": TEST_LOYALTY_CARD,
        "social_handle": None,
        "lifecyclestage": "other",
        "preferred_channel": None,
        "family_email": False,
        "person_id": None,
        "purchase_count": None,
        "last_purchase_ms": None,
        "last_activity_ms": None,
    }
    for kind in CONSENT_KINDS:
        row[f"consent_{kind}"] = "denied"
        row[f"consent_{kind}_ms"] = created
    return pa.Table.from_pylist([row], schema=schema)


_CONSENT_SQL = ", ".join(
    f"'consent_{kind}': consent_{kind}, 'consent_{kind}_updated_at': {_iso_s(f'consent_{kind}_ms')}"
    for kind in CONSENT_KINDS
)
CONTACTS_SELECT = f"""
SELECT id, {_iso_ms("created_ms")} AS createdAt, {_iso_ms("updated_ms")} AS updatedAt, false AS archived,
  {{'email': email, 'firstname': firstname, 'lastname': lastname, 'phone': phone, 'country': 'FR',
    'city': city, 'zip': zip, 'gender': gender, 'date_of_birth': date_of_birth,
    'loyalty_card_number': loyalty_card_number, 'social_handle': social_handle,
    'lifecyclestage': lifecyclestage, 'hs_persona': NULL::VARCHAR, 'preferred_channel': preferred_channel,
    {_CONSENT_SQL},
    'num_associated_deals': CAST(purchase_count AS VARCHAR),
    'recent_deal_close_date': {_iso_ms("last_purchase_ms")},
    'notes_last_updated': {_iso_ms("last_activity_ms")},
    'hs_object_id': id, 'createdate': {_iso_ms("created_ms")}, 'lastmodifieddate': {_iso_ms("updated_ms")},
    'hs_lastmodifieddate': {_iso_ms("updated_ms")}}} AS properties
FROM rows
"""
_TEST_OR_NONE = "CASE WHEN person_id IS NULL THEN 'test_account' END"
CONTACT_IDENTIFIERS = f"""
SELECT DISTINCT 'crm_contact_id' AS identifier_type, id AS identifier_value, person_id,
  {_TEST_OR_NONE} AS shared_kind FROM rows
UNION ALL SELECT DISTINCT 'email', email, person_id,
  CASE WHEN family_email THEN 'family_email' WHEN person_id IS NULL THEN 'test_account' END
  FROM rows WHERE email IS NOT NULL
UNION ALL SELECT DISTINCT 'phone', phone, person_id, {_TEST_OR_NONE} FROM rows WHERE phone IS NOT NULL
UNION ALL SELECT DISTINCT 'loyalty_card_number', loyalty_card_number, person_id, {_TEST_OR_NONE}
  FROM rows WHERE loyalty_card_number IS NOT NULL
UNION ALL SELECT DISTINCT 'social_handle', social_handle, person_id, {_TEST_OR_NONE}
  FROM rows WHERE social_handle IS NOT NULL
"""


# ----------------------------------------------------------------------------------------- e-mail events


def email_events_table(
    config: SimulationConfig, world: World, population: Population, sends: EmailSends, day: int
) -> pa.Table:
    """SENT / DELIVERED / BOUNCE / OPEN / CLICK / UNSUBSCRIBED events of the day's sends, by time."""
    rng = stream(config.seed, Stream.CRM, day, 2)
    n = len(sends.person)
    sent_ms = start_epoch_ms(config) + day * DAY_MS + 7 * HOUR_MS + rng.integers(0, 2 * HOUR_MS, n)
    open_ms = sent_ms + rng.integers(60_000, 10 * HOUR_MS, n)
    happened = [
        np.ones(n, bool),
        ~sends.bounced,
        sends.bounced,
        sends.opened,
        sends.clicked,
        sends.unsubscribed,
    ]
    at = [
        sent_ms,
        sent_ms + 2_000,
        sent_ms + 5_000,
        open_ms,
        open_ms + rng.integers(5_000, 120_000, n),
        open_ms + 200_000,
    ]
    send = np.concatenate([np.flatnonzero(mask) for mask in happened])
    kind = np.concatenate([np.full(int(mask.sum()), k) for k, mask in enumerate(happened)])
    created = np.concatenate([t[mask] for t, mask in zip(at, happened, strict=True)])
    order = np.lexsort((send, kind, created))
    send, kind, created = send[order], kind[order], created[order]
    person = sends.person[send]
    campaign = sends.campaign[send]
    utm = {c["id"]: c["utm_campaign"] for c in world.campaigns.records}
    url = pa.array(
        [
            f"{SHOP_URL}/?utm_source=newsletter&utm_medium=email&utm_campaign={utm.get(int(c), '')}"
            for c in np.unique(campaign)
        ],
        pa.string(),
    )
    url_index = np.searchsorted(np.unique(campaign), campaign)
    date = f"{world.day_date(day):%Y%m%d}"
    return pa.table(
        {
            "id": pc.binary_join_element_wise(
                f"ee-{date}-", pc.cast(pa.array(np.arange(len(send))), pa.string()), ""
            ),
            "created": created,
            "type": pa.array(EMAIL_EVENT_TYPES).take(pa.array(kind)),
            "recipient": pc.utf8_lower(pc.utf8_trim_whitespace(population.email.take(pa.array(person)))),
            "campaign": campaign,
            "sent_by_id": pc.binary_join_element_wise(
                f"sb-{date}-", pc.cast(pa.array(campaign), pa.string()), ""
            ),
            "sent_ms": sent_ms[send],
            "device_type": pa.array(["mobile", "desktop"]).take(
                pa.array(person % 3 == 0, pa.bool_()).cast(pa.int8())
            ),
            "url": pc.if_else(
                pa.array(kind == EMAIL_EVENT_TYPES.index("CLICK")),
                url.take(pa.array(url_index)) if len(url) else pa.nulls(len(send), pa.string()),
                pa.scalar(None, pa.string()),
            ),
            "browser": pa.array(["Safari", "Chrome", "Outlook"]).take(pa.array(person % 3)),
            "family_email": pa.array(population.family_group[person] >= 0),
            "person_id": person.astype(np.int64),
        }
    )


EMAIL_EVENTS_SELECT = """
SELECT id, created, type, recipient, campaign AS emailCampaignId, 1 AS portalId, 0 AS appId,
  {'id': sent_by_id, 'created': sent_ms} AS sentBy, device_type AS deviceType, url,
  {'name': browser} AS browser, {'country': 'FR'} AS location
FROM rows
"""
EMAIL_IDENTIFIERS = """
SELECT DISTINCT 'email' AS identifier_type, recipient AS identifier_value, person_id,
  CASE WHEN family_email THEN 'family_email' END AS shared_kind
FROM rows
"""


# ----------------------------------------------------------------------------------------- feedback


def feedback_table(config: SimulationConfig, population: Population, surveys: Surveys, day: int) -> pa.Table:
    """Survey answers (NPS 0-10 or CSAT 1-5) with their journey moment, by submission time."""
    rng = stream(config.seed, Stream.CRM, day, 3)
    n = len(surveys.person)
    submitted = start_epoch_ms(config) + day * DAY_MS + rng.integers(9 * HOUR_MS, 23 * HOUR_MS, n)
    order = np.lexsort((surveys.person, submitted))
    person, submitted = surveys.person[order], submitted[order]
    score, is_nps = surveys.score[order], surveys.is_nps[order]
    mood = np.where(is_nps, np.digitize(score, [7, 9]), np.digitize(score, [3, 4]))
    text_index = mood * 3 + rng.integers(0, 3, n)
    texts = [text for m in range(3) for text in FEEDBACK_TEXT[m]]
    store = surveys.store[order]
    return pa.table(
        {
            "id": pc.cast(pa.array(5_000_000_000 + day * 1_000_000 + np.arange(n)), pa.string()),
            "created_ms": submitted,
            "survey_type": pa.array(np.where(is_nps, "NPS", "CSAT")),
            "response_value": pc.cast(pa.array(score.astype(np.int64)), pa.string()),
            "content": pa.array(texts).take(pa.array(text_index)),
            "channel": pa.array(["EMAIL", "SMS", "WEB"]).take(pa.array(rng.integers(0, 3, n))),
            "journey_moment": pa.array(MOMENTS).take(pa.array(surveys.moment[order])),
            "contact_id": population.contact_id.take(pa.array(person)),
            "store_id": pa.array([s.store_id for s in STORES] + [None]).take(
                pa.array(np.where(store < 0, len(STORES), store))
            ),
            "person_id": person.astype(np.int64),
        }
    )


FEEDBACK_SELECT = f"""
SELECT id, {_iso_ms("created_ms")} AS createdAt, {_iso_ms("created_ms")} AS updatedAt,
  {{'hs_survey_type': survey_type, 'hs_response_value': response_value, 'hs_content': content,
    'hs_survey_channel': channel, 'journey_moment': journey_moment, 'hs_contact_id': contact_id,
    'hs_submission_timestamp': {_iso_ms("created_ms")}, 'store_id': store_id, 'order_id': NULL::VARCHAR}}
    AS properties
FROM rows
"""


# ----------------------------------------------------------------------------------------- tickets


def tickets_table(config: SimulationConfig, population: Population, activity: DayActivity) -> pa.Table:
    """Service cases opened on the day (delivery issues after web purchases, other topics otherwise)."""
    rng = stream(config.seed, Stream.CRM, activity.day, 4)
    person = activity.ticket_person
    n = len(person)
    created = start_epoch_ms(config) + activity.day * DAY_MS + rng.integers(8 * HOUR_MS, 20 * HOUR_MS, n)
    category = np.where(activity.ticket_after_web_purchase, rng.choice([0, 2], n), rng.choice([1, 3], n))
    closed = rng.random(n) < 0.7
    order = np.lexsort((person, created))
    person, created, category, closed = person[order], created[order], category[order], closed[order]
    return pa.table(
        {
            "id": pc.cast(pa.array(7_000_000_000 + activity.day * 1_000_000 + np.arange(n)), pa.string()),
            "created_ms": created,
            "closed_ms": pa.array(created + rng.integers(HOUR_MS, 6 * HOUR_MS, n), mask=~closed),
            "subject": pa.array([c[1] for c in TICKET_CATEGORIES]).take(pa.array(category)),
            "content": pa.array([c[2] for c in TICKET_CATEGORIES]).take(pa.array(category)),
            "category": pa.array([c[0] for c in TICKET_CATEGORIES]).take(pa.array(category)),
            "stage": pa.array(np.where(closed, "closed", "open")),
            "priority": pa.array(["LOW", "MEDIUM", "HIGH"]).take(
                pa.array(rng.choice(3, n, p=[0.3, 0.5, 0.2]))
            ),
            "source_type": pa.array(["PHONE", "EMAIL", "CHAT"]).take(pa.array(rng.integers(0, 3, n))),
            "contact_id": population.contact_id.take(pa.array(person)),
            "person_id": person.astype(np.int64),
        }
    )


TICKETS_SELECT = f"""
SELECT id, {_iso_ms("created_ms")} AS createdAt, {_iso_ms("coalesce(closed_ms, created_ms)")} AS updatedAt,
  {{'subject': subject, 'content': content, 'hs_ticket_category': category, 'hs_pipeline_stage': stage,
    'hs_ticket_priority': priority, 'source_type': source_type, 'hs_contact_id': contact_id,
    'closed_date': CASE WHEN closed_ms IS NULL THEN NULL ELSE {_iso_ms("closed_ms")} END}} AS properties
FROM rows
"""


def crm_exports(
    config: SimulationConfig,
    world: World,
    population: Population,
    state: JourneyState,
    activity: DayActivity,
    initial_base: tuple[np.ndarray, SalesSummary] | None,
) -> list[Export]:
    """The four daily CRM files; ``initial_base`` (first day only) adds the existing base."""
    day = activity.day
    date = f"{world.day_date(day):%Y%m%d}"
    contacts = contacts_table(
        config, population, state, activity.new_contacts, activity.updated_contacts, day, initial_base
    )
    return [
        Export(
            "crm",
            "contact",
            f"crm/contacts/contacts_{date}.jsonl",
            day,
            contacts,
            CONTACTS_SELECT,
            "id",
            CONTACT_IDENTIFIERS,
        ),
        Export(
            "crm",
            "email_event",
            f"crm/email_events/email_events_{date}.jsonl",
            day,
            email_events_table(config, world, population, activity.emails, day),
            EMAIL_EVENTS_SELECT,
            "id",
            EMAIL_IDENTIFIERS,
        ),
        Export(
            "crm",
            "feedback",
            f"crm/feedback/feedback_{date}.jsonl",
            day,
            feedback_table(config, population, activity.surveys, day),
            FEEDBACK_SELECT,
            "id",
        ),
        Export(
            "crm",
            "ticket",
            f"crm/tickets/tickets_{date}.jsonl",
            day,
            tickets_table(config, population, activity),
            TICKETS_SELECT,
            "id",
        ),
    ]
