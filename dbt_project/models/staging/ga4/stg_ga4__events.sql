{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        on_schema_change='fail'
    )
}}

-- GA4 events: one row per event_id, with the event parameters as typed columns (from
-- stg_ga4__event_params), UTC timestamps, the consent flag and the manual traffic source
-- GA4 collected. Tie-breakers for ordering events of one timestamp: batch_ordering_id,
-- batch_event_index, event_id.
--
-- A table, not a view: six models and the tests read it, and a view would dedupe all events
-- and pivot all their parameters again for each. Incremental per day (unique_key
-- event_date): ingestion replaces a GA4 day whole, so a run rebuilds exactly the days holding
-- rows of a load newer than the newest load here (the last day and the days rewritten with
-- late events), plus every day from var backfill_from_date on during a backfill.

{%- if is_incremental() %}
    {%- set reloaded_days = parcours.reloaded_days(
        source('ga4', 'events'), 'event_date', '_dlt_load_id', 'load_id'
    ) %}
{%- endif %}

with

events as (
    select * from {{ source('ga4', 'events') }}
    {%- if is_incremental() %}
    where event_date in ({{ reloaded_days }})
    {%- endif %}
),

event_params as (
    -- filtered on its own too: DuckDB does not carry an in-list across the join to this side
    select * from {{ ref('stg_ga4__event_params') }}
    {%- if is_incremental() %}
    where event_date in ({{ reloaded_days }})
    {%- endif %}
),

renamed as (
    select
        event_id,
        event_date,
        {{ parcours.to_utc_timestamp('event_timestamp') }} as event_at,
        event_name,
        nullif(trim(user_id), '') as user_id,
        user_pseudo_id,
        case lower(privacy_info_analytics_storage)
            when 'yes' then true
            when 'no' then false
        end as has_analytics_consent,
        case lower(privacy_info_ads_storage)
            when 'yes' then true
            when 'no' then false
        end as has_ads_consent,
        stream_id,
        upper(platform) as platform,
        lower(device_category) as device_category,
        device_operating_system,
        device_browser,
        device_language,
        geo_country,
        geo_region,
        geo_city,
        collected_traffic_source_manual_source as collected_source,
        collected_traffic_source_manual_medium as collected_medium,
        collected_traffic_source_manual_campaign_name as collected_campaign,
        collected_traffic_source_gclid as collected_gclid,
        traffic_source_source as user_first_source,
        traffic_source_medium as user_first_medium,
        traffic_source_name as user_first_campaign,
        nullif(trim(ecommerce_transaction_id), '') as transaction_id,
        cast(ecommerce_purchase_revenue as numeric(18, 2)) as purchase_revenue,
        cast(ecommerce_shipping_value as numeric(18, 2)) as shipping_value,
        cast(ecommerce_tax_value as numeric(18, 2)) as tax_value,
        ecommerce_total_item_quantity as total_item_quantity,
        event_bundle_sequence_id,
        batch_ordering_id,
        batch_event_index,
        _source_file as source_file,
        _dlt_load_id as load_id
    from events
),

deduplicated as (
    -- a day file is replaced whole (ingestion merges GA4 on event_date and quarantines a
    -- record whose event_date is not its file's day), so versions of one event share its
    -- event_date; partitioning by the day lets a filter on event_date above this view reach
    -- the table scan (an incremental run reads only its window). The unique test on event_id
    -- guards the assumption.
    select
        *,
        row_number() over (
            partition by event_date, event_id
            order by load_id desc, source_file desc
        ) as version_rank
    from renamed
),

final as (
    select
        deduplicated.event_id,
        deduplicated.event_date,
        deduplicated.event_at,
        deduplicated.event_name,
        deduplicated.user_id,
        deduplicated.user_pseudo_id,
        deduplicated.has_analytics_consent,
        deduplicated.has_ads_consent,
        event_params.ga_session_id,
        event_params.page_location,
        event_params.page_referrer,
        event_params.page_title,
        event_params.engagement_time_msec,
        deduplicated.collected_source,
        deduplicated.collected_medium,
        deduplicated.collected_campaign,
        deduplicated.user_first_source,
        deduplicated.user_first_medium,
        deduplicated.user_first_campaign,
        deduplicated.device_category,
        deduplicated.device_operating_system,
        deduplicated.device_browser,
        deduplicated.device_language,
        deduplicated.geo_country,
        deduplicated.geo_region,
        deduplicated.geo_city,
        deduplicated.transaction_id,
        deduplicated.purchase_revenue,
        deduplicated.shipping_value,
        deduplicated.tax_value,
        deduplicated.total_item_quantity,
        deduplicated.platform,
        deduplicated.stream_id,
        deduplicated.event_bundle_sequence_id,
        deduplicated.batch_ordering_id,
        deduplicated.batch_event_index,
        deduplicated.source_file,
        deduplicated.load_id,
        cast(event_params.ga_session_number as integer) as ga_session_number,
        case
            when lower(event_params.session_engaged_text) in ('1', 'true') then true
            when lower(event_params.session_engaged_text) in ('0', 'false') then false
        end as session_engaged,
        nullif(trim(event_params.param_source), '') as param_source,
        nullif(trim(event_params.param_medium), '') as param_medium,
        nullif(trim(event_params.param_campaign), '') as param_campaign,
        nullif(trim(event_params.param_content), '') as param_content,
        nullif(trim(event_params.param_term), '') as param_term,
        coalesce(nullif(trim(event_params.gclid), ''), deduplicated.collected_gclid) as gclid,
        lower(event_params.login_method) as login_method,
        nullif(trim(event_params.store_id), '') as store_id
    from deduplicated
    left join event_params
        on
            deduplicated.event_date = event_params.event_date
            and deduplicated.event_id = event_params.event_id
    where deduplicated.version_rank = 1
)

select * from final
