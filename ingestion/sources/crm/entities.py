"""HubSpot CRM v3 records, flattened: object properties become typed columns."""

from __future__ import annotations

from ingestion.specs import OUT_OF_RANGE, Check, Derived, DriftScope, Entity, Field, Kind

_CRM_SCOPES = (DriftScope("$"), DriftScope("$.properties"))
_CONSENTS = ("email", "sms", "analytics", "ads")


def _prop(
    column: str,
    name: str | None = None,
    kind: Kind = Kind.STRING,
    *,
    pii: str | None = None,
    country_column: str | None = None,
    restricted: bool = False,
    required: bool = False,
) -> Field:
    return Field(
        column,
        f"$.properties.{name or column}",
        kind,
        pii=pii,
        country_column=country_column,
        restricted=restricted,
        required=required,
    )


def _object_fields(id_column: str) -> tuple[Field, ...]:
    return (
        Field(id_column, "$.id", required=True),
        Field("created_at", "$.createdAt", Kind.TIMESTAMP, required=True),
        Field("updated_at", "$.updatedAt", Kind.TIMESTAMP, required=True),
        Field("archived", "$.archived", Kind.BOOL),
        Field("properties", "$.properties", Kind.OBJECT, required=True),
    )


CONTACTS = Entity(
    table="contacts",
    fields=(
        *_object_fields("contact_id"),
        _prop("email", pii="email"),
        _prop("phone", pii="phone", country_column="country"),
        _prop("firstname", restricted=True),
        _prop("lastname", restricted=True),
        _prop("date_of_birth", kind=Kind.DATE, restricted=True),
        _prop("country"),
        _prop("city"),
        _prop("zip"),
        _prop("gender"),
        _prop("loyalty_card_number"),
        _prop("social_handle"),
        _prop("lifecyclestage"),
        _prop("hs_persona"),
        _prop("preferred_channel"),
        *(
            field
            for channel in _CONSENTS
            for field in (
                _prop(f"consent_{channel}"),
                _prop(f"consent_{channel}_updated_at", kind=Kind.TIMESTAMP),
            )
        ),
        _prop("num_associated_deals", kind=Kind.INT_STRING),
        _prop("recent_deal_close_date", kind=Kind.TIMESTAMP),
        _prop("notes_last_updated", kind=Kind.TIMESTAMP),
        _prop("hs_object_id"),
        _prop("hs_createdate", "createdate", Kind.TIMESTAMP),
        _prop("hs_lastmodifieddate", "hs_lastmodifieddate", Kind.TIMESTAMP),
        _prop("lastmodifieddate", kind=Kind.TIMESTAMP),
    ),
    key=("contact_id",),
    derived=(Derived("birth_year", "CAST(year(date_of_birth) AS INTEGER)"),),
    checks=(
        *(
            Check(
                OUT_OF_RANGE,
                f"consent_{channel} is neither granted nor denied",
                f"consent_{channel} NOT IN ('granted', 'denied')",
            )
            for channel in _CONSENTS
        ),
        Check(OUT_OF_RANGE, "date_of_birth before 1900", "date_of_birth < DATE '1900-01-01'"),
        Check(OUT_OF_RANGE, "date_of_birth in the future", "date_of_birth > current_date"),
        Check(OUT_OF_RANGE, "num_associated_deals is negative", "num_associated_deals < 0"),
    ),
    drift_scopes=_CRM_SCOPES,
    newest_column="updated_at",
    restricted_table="contacts",
)

EMAIL_EVENTS = Entity(
    table="email_events",
    fields=(
        Field("email_event_id", "$.id", required=True),
        Field("created_at", "$.created", Kind.EPOCH_MS, required=True),
        Field("event_type", "$.type", required=True),
        Field("recipient_email", "$.recipient", pii="email", required=True),
        Field("email_campaign_id", "$.emailCampaignId", Kind.INT),
        Field("portal_id", "$.portalId", Kind.INT),
        Field("app_id", "$.appId", Kind.INT),
        Field("sent_by_id", "$.sentBy.id"),
        Field("sent_by_created_at", "$.sentBy.created", Kind.EPOCH_MS),
        Field("device_type", "$.deviceType"),
        Field("url", "$.url"),
        Field("browser_name", "$.browser.name"),
        Field("location_country", "$.location.country"),
    ),
    key=("email_event_id",),
)

FEEDBACK = Entity(
    table="feedback",
    fields=(
        *_object_fields("feedback_id"),
        _prop("survey_type", "hs_survey_type"),
        _prop("response_value", "hs_response_value", Kind.INT_STRING),
        _prop("content", "hs_content"),
        _prop("survey_channel", "hs_survey_channel"),
        _prop("journey_moment"),
        _prop("contact_id", "hs_contact_id", required=True),
        _prop("submitted_at", "hs_submission_timestamp", Kind.TIMESTAMP),
        _prop("store_id"),
        _prop("order_id"),
    ),
    key=("feedback_id",),
    checks=(
        Check(
            OUT_OF_RANGE,
            "NPS score outside 0-10",
            "survey_type = 'NPS' AND response_value NOT BETWEEN 0 AND 10",
        ),
        Check(
            OUT_OF_RANGE,
            "CSAT score outside 1-5",
            "survey_type = 'CSAT' AND response_value NOT BETWEEN 1 AND 5",
        ),
    ),
    drift_scopes=_CRM_SCOPES,
    newest_column="updated_at",
)

TICKETS = Entity(
    table="tickets",
    fields=(
        *_object_fields("ticket_id"),
        _prop("subject"),
        _prop("content"),
        _prop("category", "hs_ticket_category"),
        _prop("pipeline_stage", "hs_pipeline_stage"),
        _prop("priority", "hs_ticket_priority"),
        _prop("source_type"),
        _prop("contact_id", "hs_contact_id", required=True),
        _prop("closed_at", "closed_date", Kind.TIMESTAMP),
    ),
    key=("ticket_id",),
    drift_scopes=_CRM_SCOPES,
    newest_column="updated_at",
)

CAMPAIGNS = Entity(
    table="campaigns",
    fields=(
        Field("campaign_id", "$.id", Kind.INT, required=True),
        Field("name", "$.name"),
        Field("channel", "$.channel"),
        Field("utm_source", "$.utm_source"),
        Field("utm_medium", "$.utm_medium"),
        Field("utm_campaign", "$.utm_campaign"),
        Field("start_date", "$.start_date", Kind.DATE),
        Field("end_date", "$.end_date", Kind.DATE),
        Field("budget_eur", "$.budget_eur", Kind.FLOAT, min_value=0),
        Field("target_segment", "$.target_segment"),
    ),
    key=("campaign_id",),
)
