{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['record_source', 'record_type', 'record_id'],
        on_schema_change='fail',
        pre_hook="{{ parcours.delete_touchpoints_of_vanished_sessions(this, ref('fct_sessions')) }}"
    )
}}

-- Every customer interaction of every source (int_touchpoints__unioned) with the customer
-- it belongs to: customer_key of its identity record in int_identity__record_customers;
-- null when the record is not stitched, and always null without analytics consent.
--
-- Incremental, delete+insert on the identity record (record_source, record_type,
-- record_id): a run rebuilds every touchpoint of
--   * the GA4 cookies fct_sessions rebuilt since the last run here: those with a session of
--     a load newer than the newest GA4 load_id here (the record is the cookie, so all its
--     sessions are replaced);
--   * the CRM, POS and social records with touchpoints in their source's late-data window
--     (newest source_date of the source here minus late_data_lookback_days of the source);
--   * the records whose customer_key changed, or was assigned after the assignment stored
--     here (identity assigned_at newer): stitching reaches back, a later login gives a
--     cookie's earlier touchpoints the customer's key;
--   * every record of a source not yet here;
--   * the records with a touchpoint not yet here from before the window, other than GA4: a
--     store's POS file, a CRM or listening export can land days after later days' files
--     (GA4 events older than the window never reach the web models; they are listed by
--     int_web__late_events_quarantined);
--   * during a backfill (var backfill_from_date), every record with touchpoints from that day on.
-- Before that, a pre-hook deletes the web touchpoints of sessions that are no longer human
-- sessions (a bot's now, or re-sessionized): a visitor left with none has no new rows for
-- delete+insert to replace its old ones with.

{#- GA4 records are rebuilt by load (cookies_sessionized_again), the other sources by window #}
{%- set windowed_sources = parcours.raw_source_names() | reject('equalto', 'ga4') | list %}

with

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

record_customers as {{ parcours.cte_not_materialized() }} (
    -- read twice by an incremental run (records re-keyed, then the final join): inlined, each
    -- read scans its own columns (1M customers: 18-19 s against 22-25 s buffered)
    select * from {{ ref('int_identity__record_customers') }}
),

{% if is_incremental() %}

sessions as (
    select * from {{ ref('fct_sessions') }}
),

windows as (
    select
        record_source,
        case record_source
            {%- for source_name in windowed_sources %}
            when '{{ source_name }}' then cast(
                {{ dbt.dateadd('day', -parcours.late_data_lookback_days(source_name), 'max(source_date)') }} as date
            )
            {%- endfor %}
        end as window_start_date
    from {{ this }}
    where record_source in ({{ parcours.sql_string_list(windowed_sources) }})
    group by record_source
),

records_in_window as (
    select distinct
        touchpoints.record_source,
        touchpoints.record_type,
        touchpoints.record_id
    from touchpoints
    left join windows
        on touchpoints.record_source = windows.record_source
    where
        touchpoints.record_source in ({{ parcours.sql_string_list(windowed_sources) }})
        and (
            windows.window_start_date is null
            or touchpoints.source_date >= {{ parcours.backfill_floor('windows.window_start_date') }}
        )
),

cookies_sessionized_again as (
    -- GA4: the cookies with a session of a load not processed here (bot sessions included),
    -- those int_web__sessionized_events and fct_sessions rebuilt since the last run here
    select distinct
        'ga4' as record_source,
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id
    from sessions
    where {{ parcours.is_unprocessed_load('last_load_id', 'load_id', 'last_event_date', "record_source = 'ga4'") }}
),

processed_records as (
    select
        record_source,
        record_type,
        record_id,
        max(customer_key) as customer_key,
        max(customer_key_assigned_at) as customer_key_assigned_at
    from {{ this }}
    group by record_source, record_type, record_id
),

records_rekeyed as (
    select
        processed_records.record_source,
        processed_records.record_type,
        processed_records.record_id
    from processed_records
    left join record_customers
        on
            processed_records.record_source = record_customers.source
            and processed_records.record_type = record_customers.record_type
            and processed_records.record_id = record_customers.record_id
    where
        coalesce(processed_records.customer_key, '') != coalesce(record_customers.customer_key, '')
        or record_customers.assigned_at > processed_records.customer_key_assigned_at
        or (record_customers.assigned_at is not null and processed_records.customer_key_assigned_at is null)
),

records_landed_late as (
    select distinct
        touchpoints.record_source,
        touchpoints.record_type,
        touchpoints.record_id
    from touchpoints
    left join {{ this }} as processed
        on touchpoints.touchpoint_id = processed.touchpoint_id
    where
        touchpoints.record_source != 'ga4'
        and processed.touchpoint_id is null
),

records_to_rebuild as (
    select * from records_in_window
    union
    select * from cookies_sessionized_again
    union
    select * from records_landed_late
    union
    select * from records_rekeyed
),

scoped_touchpoints as (
    select touchpoints.*
    from touchpoints
    inner join records_to_rebuild
        on
            touchpoints.record_source = records_to_rebuild.record_source
            and touchpoints.record_type = records_to_rebuild.record_type
            and touchpoints.record_id = records_to_rebuild.record_id
),

{% else %}

scoped_touchpoints as (
    select * from touchpoints
),

{% endif %}

final as (
    select
        scoped_touchpoints.touchpoint_id,
        scoped_touchpoints.touchpoint_at,
        scoped_touchpoints.touchpoint_type,
        scoped_touchpoints.channel,
        scoped_touchpoints.sub_channel,
        scoped_touchpoints.is_online,
        scoped_touchpoints.device_category,
        scoped_touchpoints.campaign,
        scoped_touchpoints.store_id,
        scoped_touchpoints.region,
        scoped_touchpoints.sentiment,
        scoped_touchpoints.session_key,
        scoped_touchpoints.order_id,
        scoped_touchpoints.revenue,
        scoped_touchpoints.record_source,
        scoped_touchpoints.record_type,
        scoped_touchpoints.record_id,
        scoped_touchpoints.source_date,
        scoped_touchpoints.load_id,
        cast(scoped_touchpoints.touchpoint_at as date) as touchpoint_date,
        case
            when scoped_touchpoints.has_analytics_consent = false then null
            else record_customers.customer_key
        end as customer_key,
        case
            when scoped_touchpoints.has_analytics_consent = false then null
            else record_customers.assigned_at
        end as customer_key_assigned_at
    from scoped_touchpoints
    left join record_customers
        on
            scoped_touchpoints.record_source = record_customers.source
            and scoped_touchpoints.record_type = record_customers.record_type
            and scoped_touchpoints.record_id = record_customers.record_id
)

select * from final
