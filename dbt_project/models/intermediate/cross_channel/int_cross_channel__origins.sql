-- The moments that can start a cross-channel purchase, one row per event of a known customer:
--   * ropo: a web research session - a web session (not a bot) with at least var
--     ropo_research_min_product_views product views, or a store locator use when var
--     ropo_research_counts_store_locator;
--   * showrooming: a store visit - an in-person touchpoint at a store (a store sale or return,
--     an in-store survey answer; visits without a purchase leave no record).
-- is_followed_by_purchase: the customer made a qualifying purchase (int_cross_channel__purchases)
-- in the other channel - in store after research, online after a visit - after the event
-- and within var ropo_window_days / showrooming_window_days of it.

with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

purchases as (
    select * from {{ ref('int_cross_channel__purchases') }}
),

research_sessions as (
    select
        'ropo' as behaviour,
        touchpoints.session_key as origin_id,
        touchpoints.customer_key,
        touchpoints.touchpoint_at as origin_at,
        'store' as purchase_channel,
        {{ var('ropo_window_days') }} as window_days
    from touchpoints
    inner join sessions
        on touchpoints.session_key = sessions.session_key
    where
        touchpoints.touchpoint_type = 'web_session'
        and touchpoints.customer_key is not null
        and not sessions.is_bot
        and (
            sessions.product_view_count >= {{ var('ropo_research_min_product_views') }}
            {%- if var('ropo_research_counts_store_locator') %}
            or sessions.store_locator_count > 0
            {%- endif %}
        )
),

store_visits as (
    select
        'showrooming' as behaviour,
        touchpoint_id as origin_id,
        customer_key,
        touchpoint_at as origin_at,
        'online' as purchase_channel,
        {{ var('showrooming_window_days') }} as window_days
    from touchpoints
    where
        customer_key is not null
        and not is_online
        and store_id is not null
        and channel in ('store', 'survey')
),

origins as (
    select * from research_sessions
    union all
    select * from store_visits
),

followed as (
    select distinct
        origins.behaviour,
        origins.origin_id
    from origins
    inner join purchases
        on
            origins.customer_key = purchases.customer_key
            and origins.purchase_channel = purchases.order_channel
            and origins.origin_at < purchases.ordered_at
            and purchases.ordered_at <= {{ dbt.dateadd('day', 'origins.window_days', 'origins.origin_at') }}
),

final as (
    select
        origins.behaviour,
        origins.origin_id,
        origins.customer_key,
        origins.origin_at,
        {{ parcours.reporting_date('origins.origin_at') }} as origin_date,
        origins.purchase_channel,
        origins.window_days,
        followed.origin_id is not null as is_followed_by_purchase
    from origins
    left join followed
        on
            origins.behaviour = followed.behaviour
            and origins.origin_id = followed.origin_id
)

select * from final
