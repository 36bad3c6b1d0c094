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
-- event_date): ingestion replaces a GA4 day whole or appends late events to it, so a run
-- rebuilds exactly the days holding rows of a load newer than the newest load here (the last
-- day and the days given late events), plus every day from var backfill_from_date on during a
-- backfill.

{%- if is_incremental() %}
    {%- set reloaded_days = parcours.reloaded_days(
        source('ga4', 'events'), 'event_date', '_dlt_load_id', 'load_id'
    ) %}
{%- endif %}

with

events as {{ parcours.cte_not_materialized() }} (
    -- read three times: buffered, every column of every event spilled to disk at 1M
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

repeated_events as (
    -- events loaded more than once (two files of one day). A day file is replaced whole or
    -- appended to (ingestion merges GA4 on event_date, quarantines a record whose event_date is
    -- not its file's day and a key repeated within a file or appended to its day), so the
    -- versions of one event share its event_date, and a filter on event_date above this model
    -- reaches the table scans. Rare: only their versions are ranked; ranking every event
    -- sorted all its columns (112 of the 172 s this model took at 1M customers). The unique
    -- test on event_id guards this.
    select
        event_date,
        event_id
    from events
    group by event_date, event_id
    having count(*) > 1
),

superseded_versions as (
    -- the newest load wins, then the last file of the day: the other versions rank below it.
    -- Two rows of one load and file tie at rank 1 and both stay, failing the unique test
    -- rather than being chosen by chance.
    select
        event_date,
        event_id,
        load_id,
        source_file
    from (
        select
            events.event_date,
            events.event_id,
            events._dlt_load_id as load_id,
            coalesce(events._source_file, '') as source_file,
            rank() over (
                partition by events.event_date, events.event_id
                order by events._dlt_load_id desc, coalesce(events._source_file, '') desc
            ) as version_rank
        from events
        inner join repeated_events
            on
                events.event_date = repeated_events.event_date
                and events.event_id = repeated_events.event_id
    ) as ranked_versions
    where version_rank > 1
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

with_params as (
    select
        renamed.event_id,
        renamed.event_date,
        renamed.event_at,
        renamed.event_name,
        renamed.user_id,
        renamed.user_pseudo_id,
        renamed.has_analytics_consent,
        renamed.has_ads_consent,
        event_params.ga_session_id,
        event_params.page_location,
        event_params.page_referrer,
        event_params.page_title,
        event_params.engagement_time_msec,
        renamed.collected_source,
        renamed.collected_medium,
        renamed.collected_campaign,
        renamed.user_first_source,
        renamed.user_first_medium,
        renamed.user_first_campaign,
        renamed.device_category,
        renamed.device_operating_system,
        renamed.device_browser,
        renamed.device_language,
        renamed.geo_country,
        renamed.geo_region,
        renamed.geo_city,
        renamed.transaction_id,
        renamed.purchase_revenue,
        renamed.shipping_value,
        renamed.tax_value,
        renamed.total_item_quantity,
        renamed.platform,
        renamed.stream_id,
        renamed.event_bundle_sequence_id,
        renamed.batch_ordering_id,
        renamed.batch_event_index,
        renamed.source_file,
        renamed.load_id,
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
        coalesce(nullif(trim(event_params.gclid), ''), renamed.collected_gclid) as gclid,
        lower(event_params.login_method) as login_method,
        nullif(trim(event_params.store_id), '') as store_id
    from renamed
    left join event_params
        on
            renamed.event_date = event_params.event_date
            and renamed.event_id = event_params.event_id
            -- the parameters of the version kept: rows of an older load can outlive a partial
            -- reload of a day (a backfill after its raw events were lost)
            and renamed.load_id = event_params.load_id
),

final as (
    -- the superseded versions dropped last: a filter below the join to the parameters made
    -- DuckDB expect a fifth of the events and build its hash table on every event's columns
    select with_params.*
    from with_params
    left join superseded_versions
        on
            with_params.event_date = superseded_versions.event_date
            and with_params.event_id = superseded_versions.event_id
            and with_params.load_id = superseded_versions.load_id
            and coalesce(with_params.source_file, '') = superseded_versions.source_file
    where superseded_versions.event_id is null
)

select * from final
