{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='user_pseudo_id',
        on_schema_change='fail'
    )
}}

-- Web sessions, one row per session of int_web__sessionized_events: when, where from
-- (traffic source of the first event bringing one, GA4 default channel group), landing
-- page, device and place of the first event, engagement, conversions, bot flag.
--
-- Incremental like its events: every session of each cookie int_web__sessionized_events
-- sessionized again is rebuilt, the cookies with an event of a load newer than the newest
-- load here (last_load_id); the replacement unit is the cookie (unique_key user_pseudo_id).

with

sessionized_events as {{ parcours.cte_not_materialized() }} (
    -- read twice by an incremental run (the touched cookies, then their events): buffered,
    -- every column of every event spilled at 1M customers (47-54 s against 17-19 s inlined)
    select * from {{ ref('int_web__sessionized_events') }}
),

source_categories as (
    select * from {{ ref('ga4_source_categories') }}
),

{% if is_incremental() %}

touched_cookies as (
    -- the cookies int_web__sessionized_events sessionized again since the last run here: those
    -- with an event of a load newer than the newest load here (last_load_id)
    select distinct user_pseudo_id
    from sessionized_events
    where
        event_date in ({{ parcours.reloaded_days(
            ref('int_web__sessionized_events'), 'event_date', 'load_id', 'last_load_id'
        ) }})
        and {{ parcours.is_unprocessed_load('load_id', 'last_load_id', 'event_date') }}
),

scoped_events as (
    select sessionized_events.*
    from sessionized_events
    inner join touched_cookies
        on sessionized_events.user_pseudo_id = touched_cookies.user_pseudo_id
),

{% else %}

scoped_events as (
    select * from sessionized_events
),

{% endif %}

first_events as (
    select
        session_key,
        event_date as session_date,
        ga_session_id,
        device_category,
        device_operating_system,
        device_browser,
        geo_country,
        geo_region,
        geo_city,
        platform
    from scoped_events
    where event_sequence = 1
),

ranked_page_views as (
    select
        session_key,
        page_location,
        page_title,
        row_number() over (partition by session_key order by event_sequence) as page_view_rank
    from scoped_events
    where event_name = 'page_view'
),

landing_pages as (
    select
        session_key,
        page_location as landing_page_location,
        page_title as landing_page_title
    from ranked_page_views
    where page_view_rank = 1
),

ranked_traffic as (
    select
        session_key,
        traffic_source,
        traffic_medium,
        traffic_campaign,
        traffic_content,
        traffic_term,
        row_number() over (partition by session_key order by event_sequence) as traffic_rank
    from scoped_events
    where campaign_key is not null
),

traffic as (
    select * from ranked_traffic
    where traffic_rank = 1
),

aggregated as (
    select
        session_key,
        user_pseudo_id,
        max(session_index) as session_number,
        max(user_id) as user_id,
        min(case when has_analytics_consent = false then 0 else 1 end) = 1 as has_analytics_consent,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at,
        min(event_date) as first_event_date,
        max(event_date) as last_event_date,
        count(*) as event_count,
        sum(case when event_name = 'page_view' then 1 else 0 end) as page_view_count,
        sum(case when event_name = 'view_item' then 1 else 0 end) as product_view_count,
        sum(case when event_name = 'add_to_cart' then 1 else 0 end) as add_to_cart_count,
        sum(case when event_name = 'begin_checkout' then 1 else 0 end) as begin_checkout_count,
        sum(case when event_name = 'purchase' then 1 else 0 end) as purchase_count,
        sum(case when event_name = 'sign_up' then 1 else 0 end) as sign_up_count,
        sum(case when event_name = 'login' then 1 else 0 end) as login_count,
        sum(case when event_name = 'store_locator' then 1 else 0 end) as store_locator_count,
        coalesce(sum(case when event_name = 'purchase' then purchase_revenue end), 0) as purchase_revenue,
        coalesce(sum(engagement_time_msec), 0) as engagement_time_msec,
        max(case when session_engaged then 1 else 0 end) = 1 as is_engaged_by_ga4,
        max(load_id) as last_load_id
    from scoped_events
    group by session_key, user_pseudo_id
),

with_source as (
    select
        aggregated.*,
        first_events.session_date,
        first_events.ga_session_id,
        first_events.device_category,
        first_events.device_operating_system,
        first_events.device_browser,
        first_events.geo_country,
        first_events.geo_region,
        first_events.geo_city,
        first_events.platform,
        landing_pages.landing_page_location,
        landing_pages.landing_page_title,
        coalesce(traffic.traffic_source, '(direct)') as session_source,
        coalesce(traffic.traffic_medium, '(none)') as session_medium,
        traffic.traffic_campaign as session_campaign,
        traffic.traffic_content as session_content,
        traffic.traffic_term as session_term,
        source_categories.source_category,
        {{ dbt.datediff('aggregated.session_start_at', 'aggregated.session_end_at', 'second') }}
            as duration_seconds
    from aggregated
    inner join first_events
        on aggregated.session_key = first_events.session_key
    left join landing_pages
        on aggregated.session_key = landing_pages.session_key
    left join traffic
        on aggregated.session_key = traffic.session_key
    left join source_categories
        on coalesce(traffic.traffic_source, '(direct)') = source_categories.source
),

measured as (
    select
        *,
        cast(
            page_view_count * 60.0
            / {{ parcours.greatest_ignore_nulls(['duration_seconds', '10']) }} as double
        ) as page_views_per_minute
    from with_source
),

final as (
    select
        session_key,
        user_pseudo_id,
        case when has_analytics_consent then user_id end as user_id,
        cast(session_number as integer) as session_number,
        ga_session_id,
        session_date,
        session_start_at,
        session_end_at,
        last_event_date,
        cast(duration_seconds as bigint) as duration_seconds,
        session_source,
        session_medium,
        session_campaign,
        session_content,
        session_term,
        {{ parcours.default_channel_group(
            'session_source', 'session_medium', 'session_campaign', source_category='source_category'
        ) }} as channel_group,
        landing_page_location,
        {{ parcours.url_path('landing_page_location') }} as landing_page_path,
        landing_page_title,
        device_category,
        device_operating_system,
        device_browser,
        geo_country,
        geo_region,
        geo_city,
        platform,
        has_analytics_consent,
        cast(event_count as integer) as event_count,
        cast(page_view_count as integer) as page_view_count,
        cast(product_view_count as integer) as product_view_count,
        cast(add_to_cart_count as integer) as add_to_cart_count,
        cast(begin_checkout_count as integer) as begin_checkout_count,
        cast(purchase_count as integer) as purchase_count,
        cast(sign_up_count as integer) as sign_up_count,
        cast(login_count as integer) as login_count,
        cast(store_locator_count as integer) as store_locator_count,
        cast(purchase_revenue as numeric(18, 2)) as purchase_revenue,
        cast(engagement_time_msec as bigint) as engagement_time_msec,
        (
            is_engaged_by_ga4
            or duration_seconds >= 10
            or page_view_count >= 2
            or purchase_count > 0
        ) as is_engaged,
        purchase_count > 0 as has_conversion,
        page_views_per_minute,
        page_views_per_minute > {{ var('ga4_bot_min_page_views_per_minute') }} as is_bot,
        last_load_id
    from measured
)

select * from final
