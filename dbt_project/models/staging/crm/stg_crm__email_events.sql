{{ config(materialized='table') }}

-- HubSpot marketing e-mail events: one row per event id. Event types lower-cased
-- (sent, delivered, open, click, bounce, unsubscribed); `created` epoch ms is already a
-- timestamp in raw, stored here in UTC.
--
-- A table, not a view: five models read it, and as a view each read ranked every
-- version again (dbt_project/README.md, "What a run reads").

with

source as (
    select * from {{ parcours.source_or_empty('crm', 'email_events', {
        'email_event_id': 'string',
        'event_type': 'string',
        'created_at': 'timestamptz',
        'recipient_email_hash': 'string',
        'email_campaign_id': 'bigint',
        'url': 'string',
        'device_type': 'string',
        'browser_name': 'string',
        'location_country': 'string',
        'sent_by_id': 'string',
        'sent_by_created_at': 'timestamptz',
        '_source_file': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        email_event_id,
        lower(event_type) as event_type,
        {{ parcours.to_utc_timestamp('created_at') }} as occurred_at,
        recipient_email_hash,
        email_campaign_id as campaign_id,
        nullif(trim(url), '') as clicked_url,
        lower(nullif(trim(device_type), '')) as device_type,
        browser_name,
        upper(location_country) as location_country,
        sent_by_id,
        {{ parcours.to_utc_timestamp('sent_by_created_at') }} as sent_by_created_at,
        _source_file as source_file,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by email_event_id
            order by load_id desc, source_file desc
        ) as version_rank
    from renamed
),

final as (
    select
        email_event_id,
        event_type,
        occurred_at,
        recipient_email_hash,
        campaign_id,
        clicked_url,
        device_type,
        browser_name,
        location_country,
        sent_by_id,
        sent_by_created_at,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
