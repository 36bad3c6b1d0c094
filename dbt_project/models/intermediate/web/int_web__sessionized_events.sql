{{
    config(
        materialized='incremental',
        incremental_strategy='replace_from',
        unique_key='user_pseudo_id',
        meta={'replace_from': 'session_index'},
        on_schema_change='fail'
    )
}}

-- GA4 events with the web session each belongs to. A new session starts when the cookie
-- was inactive for more than var session_inactivity_minutes, or (var
-- session_new_campaign_starts_session) when an event brings a traffic source / medium /
-- campaign different from the session's. Events of one cookie are ordered by event_at,
-- then batch_ordering_id, batch_event_index and event_id, so ties never reorder.
--
-- Incremental (late-data policy of GA4): each run re-reads, of the days in the last
-- late_data_lookback_days.ga4 days before the newest event_date already here, those that
-- stg_ga4__events reloaded since (a row of a load newer than the newest load here: ingestion
-- replaces a GA4 day whole or appends to it, so a day without one holds exactly the rows
-- already here). It sessionizes again every cookie with an event of such a load (every
-- cookie of a day replaced whole, the cookies given late events on a day appended to) from
-- its last session begun before the first day re-read on (see anchors), from its re-read
-- events and its other events already here; the day's other cookies are not read. Strategy
-- replace_from (macros/incremental/replace_from.sql): of each such cookie (unique_key
-- user_pseudo_id), the rows here from its first session sessionized again (meta
-- replace_from: session_index) are replaced; its earlier sessions stay as they are (read for
-- the anchors, never rewritten). A run with no new load reads and rebuilds nothing.
-- Events older than the window that arrive late are not read:
-- int_web__late_events_quarantined lists them until a full refresh.

{%- set event_columns = [
    'event_id', 'event_date', 'event_at', 'event_name', 'user_id', 'user_pseudo_id',
    'has_analytics_consent', 'ga_session_id', 'page_location', 'page_referrer', 'page_title',
    'engagement_time_msec', 'session_engaged', 'traffic_source', 'traffic_medium',
    'traffic_campaign', 'traffic_content', 'traffic_term', 'gclid', 'login_method', 'store_id',
    'device_category', 'device_operating_system', 'device_browser', 'geo_country', 'geo_region',
    'geo_city', 'transaction_id', 'purchase_revenue', 'platform', 'batch_ordering_id',
    'batch_event_index', 'source_file', 'load_id'
] %}
{%- set new_campaign_starts_session = var('session_new_campaign_starts_session') %}
{%- set event_order = 'event_at, batch_ordering_id, batch_event_index, event_id' %}
{#- a cookie's events up to the current one, once numbered in event order (cookie_sequence) #}
{%- set cookie_so_far = (
    'partition by user_pseudo_id order by cookie_sequence rows between unbounded preceding and current row'
) %}

with

stg_events as {{ parcours.cte_not_materialized() }} (
    -- read twice (the windows' narrow columns, then every column joined back): buffered, all
    -- columns of every event spilled to disk at 1M customers (147 s against 81 s inlined)
    select * from {{ ref('stg_ga4__events') }}
),

source_events as {{ parcours.cte_not_materialized() }} (
    -- the traffic source an event brings: its utm parameters, else what GA4 collected, else
    -- google / cpc for a Google Ads click id; all null on events without one
    select
        event_id,
        event_date,
        event_at,
        event_name,
        user_id,
        user_pseudo_id,
        has_analytics_consent,
        ga_session_id,
        page_location,
        page_referrer,
        page_title,
        engagement_time_msec,
        session_engaged,
        param_content as traffic_content,
        param_term as traffic_term,
        gclid,
        login_method,
        store_id,
        device_category,
        device_operating_system,
        device_browser,
        geo_country,
        geo_region,
        geo_city,
        transaction_id,
        purchase_revenue,
        platform,
        batch_ordering_id,
        batch_event_index,
        source_file,
        load_id,
        lower(coalesce(
            param_source, collected_source, case when gclid is not null then 'google' end
        )) as traffic_source,
        lower(coalesce(
            param_medium, collected_medium, case when gclid is not null then 'cpc' end
        )) as traffic_medium,
        coalesce(param_campaign, collected_campaign) as traffic_campaign
    from stg_events
),

{% if is_incremental() %}
{%- set window_start = parcours.incremental_window_start('event_date', 'ga4') %}
{%- set reloaded_days = parcours.reloaded_days(ref('stg_ga4__events'), 'event_date', 'load_id', 'load_id') %}

reloaded_events as {{ parcours.cte_not_materialized() }} (
    -- both filters on literals, so they reach the scan of stg_ga4__events
    select *
    from source_events
    where
        event_date >= {{ window_start }}
        and event_date in ({{ reloaded_days }})
),

touched_cookies as (
    -- the cookies with events of a load not processed here: on a day replaced whole every
    -- event is; on a day appended to, only the late events are, and the day's other cookies
    -- hold exactly the rows already here
    select distinct user_pseudo_id
    from reloaded_events
    where {{ parcours.is_unprocessed_load('load_id', 'load_id', 'event_date') }}
),

window_events as (
    -- every event of the touched cookies on the days re-read
    select *
    from reloaded_events
    where user_pseudo_id in (select touched_cookies.user_pseudo_id from touched_cookies)
),

processed_events as (
    -- what this model already holds of the touched cookies, but for the days re-read
    select processed.*
    from {{ this }} as processed
    inner join touched_cookies
        on processed.user_pseudo_id = touched_cookies.user_pseudo_id
    where not coalesce(
        processed.event_date >= {{ window_start }}
        and processed.event_date in ({{ reloaded_days }}),
        false
    )
),

anchors as (
    -- per touched cookie, its last session begun before the first day re-read. The flags of
    -- an event look back only (inactivity since the previous event; within one activity
    -- period, the campaign brought before and the pages viewed before), and every event of
    -- an earlier day comes first in the event order, so the sessions before this one keep
    -- their events, keys and indexes: they stay in the table as they are, and sessionizing
    -- starts again at this session's first event (a session start; when a new campaign
    -- started it, that event brings the campaign the later events of its activity period
    -- compare with, so they need no event before it). Session indexes continue from
    -- anchor_session_index, the smallest index of the cookie's new rows (replace_from).
    select
        processed_events.user_pseudo_id,
        max(processed_events.session_index) as anchor_session_index
    from processed_events
    where processed_events.event_date < (select min(window_events.event_date) from window_events)
    group by processed_events.user_pseudo_id
),

earlier_events as (
    -- sessionized again: from the anchor session on
    select
        {%- for column in event_columns %}
        processed_events.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from processed_events
    left join anchors
        on processed_events.user_pseudo_id = anchors.user_pseudo_id
    where
        anchors.anchor_session_index is null
        or processed_events.session_index >= anchors.anchor_session_index
),

scoped_events as (
    select * from earlier_events
    union all
    select {{ event_columns | join(', ') }} from window_events
),

{% else %}

scoped_events as {{ parcours.cte_not_materialized() }} (
    select * from source_events
),

{% endif %}

narrow_events as (
    -- the windows below sort only what they read; the other event columns join back once on
    -- event_id (unique) in sessionized: sorting every column in each window cost more
    select
        event_id,
        user_pseudo_id,
        event_at,
        batch_ordering_id,
        batch_event_index,
        event_name,
        traffic_source,
        traffic_medium,
        traffic_campaign
    from scoped_events
),

sequenced as (
    -- the one sort in event order: each later window orders a cookie's events by
    -- cookie_sequence, an integer, instead of the four columns of the event order
    select
        *,
        case
            when traffic_source is not null or traffic_medium is not null or traffic_campaign is not null
                then {{ dbt.concat([
                    "coalesce(traffic_source, '')", "'|'",
                    "coalesce(traffic_medium, '')", "'|'",
                    "coalesce(traffic_campaign, '')"
                ]) }}
        end as campaign_key,
        row_number() over (partition by user_pseudo_id order by {{ event_order }}) as cookie_sequence,
        lag(event_at) over (partition by user_pseudo_id order by {{ event_order }}) as previous_event_at
    from narrow_events
),

activity_periods as (
    -- sessions by inactivity alone
    select
        *,
        sum(is_after_inactivity) over ({{ cookie_so_far }}) as activity_period
    from (
        select
            event_id,
            user_pseudo_id,
            cookie_sequence,
            campaign_key,
            event_name = 'page_view' as is_page_view,
            case
                when previous_event_at is null then 1
                when
                    event_at
                    > {{ dbt.dateadd('minute', var('session_inactivity_minutes'), 'previous_event_at') }}
                    then 1
                else 0
            end as is_after_inactivity
        from sequenced
    ) as flagged
),

{%- if new_campaign_starts_session %}

first_page_views as (
    -- per activity period, where its first page view comes: whether pages were viewed before
    -- an event matters only for the campaign rule, so an aggregate, not another window
    select
        user_pseudo_id,
        activity_period,
        min(cookie_sequence) as first_page_view_sequence
    from activity_periods
    where is_page_view
    group by user_pseudo_id, activity_period
),

campaign_events as (
    -- the events bringing a traffic source (a few percent): each with the one brought before
    -- it in its period, and whether pages were viewed before it in that period
    select
        campaign_events.*,
        coalesce(
            first_page_views.first_page_view_sequence < campaign_events.cookie_sequence, false
        ) as has_page_views_before
    from (
        select
            event_id,
            user_pseudo_id,
            activity_period,
            cookie_sequence,
            campaign_key,
            lag(campaign_key) over (
                partition by user_pseudo_id, activity_period
                order by cookie_sequence
            ) as previous_campaign_key
        from activity_periods
        where campaign_key is not null
    ) as campaign_events
    left join first_page_views
        on
            campaign_events.user_pseudo_id = first_page_views.user_pseudo_id
            and campaign_events.activity_period = first_page_views.activity_period
),

campaign_session_starts as (
    -- a new campaign: a traffic source different from the one the period already brought, or
    -- a first one after pages were already viewed without one
    select event_id
    from campaign_events
    where
        (previous_campaign_key is not null and campaign_key != previous_campaign_key)
        or (previous_campaign_key is null and has_page_views_before)
),

{%- endif %}

session_starts as (
    select
        activity_periods.event_id,
        activity_periods.user_pseudo_id,
        activity_periods.cookie_sequence,
        activity_periods.campaign_key,
        case
            when activity_periods.is_after_inactivity = 1 then 1
            {%- if new_campaign_starts_session %}
            when campaign_session_starts.event_id is not null then 1
            {%- endif %}
            else 0
        end as is_session_start
    from activity_periods
    {% if new_campaign_starts_session %}
    left join campaign_session_starts
        on activity_periods.event_id = campaign_session_starts.event_id
    {% endif %}
),

keyed as (
    -- a cookie's events are numbered without gaps, so a session's events run from its start
    -- to the next start: their sequence in the session counts from the start's
    select
        event_id,
        user_pseudo_id,
        campaign_key,
        is_session_start,
        session_index,
        session_first_event_id,
        cookie_sequence - session_start_sequence + 1 as event_sequence
    from (
        select
            *,
            sum(is_session_start) over ({{ cookie_so_far }}) as session_index,
            max(case when is_session_start = 1 then cookie_sequence end) over ({{ cookie_so_far }})
                as session_start_sequence,
            {{ parcours.last_value_ignore_nulls("case when is_session_start = 1 then event_id end") }}
                over ({{ cookie_so_far }}) as session_first_event_id
        from session_starts
    ) as numbered
),

{%- set session_index = (
    'keyed.session_index + coalesce(anchors.anchor_session_index - 1, 0) as session_index'
    if is_incremental() else 'keyed.session_index'
) %}

final as (
    select
        {{ parcours.surrogate_key(['keyed.user_pseudo_id', 'keyed.session_first_event_id']) }} as session_key,
        {{ session_index }},
        keyed.event_sequence,
        keyed.is_session_start = 1 as is_session_start,
        keyed.campaign_key,
        scoped_events.{{ event_columns | join(',\n        scoped_events.') }}
    from keyed
    inner join scoped_events
        on keyed.event_id = scoped_events.event_id
    {%- if is_incremental() %}
    left join anchors
        on keyed.user_pseudo_id = anchors.user_pseudo_id
    {%- endif %}
)

select * from final
