-- Online orders: GA4 purchase events with a transaction_id, one row per transaction_id.
-- GA4 may send a purchase twice (page reload): the first event (in event order) is kept.
-- Items come from stg_ga4__event_items; the session from int_web__sessionized_events.

with

sessionized_events as (
    select * from {{ ref('int_web__sessionized_events') }}
),

event_items as (
    select * from {{ ref('stg_ga4__event_items') }}
),

purchases as (
    select
        *,
        row_number() over (
            partition by transaction_id
            order by event_at, batch_ordering_id, batch_event_index, event_id
        ) as purchase_rank
    from sessionized_events
    where event_name = 'purchase' and transaction_id is not null
),

item_totals as (
    select
        event_id,
        sum(quantity) as item_quantity,
        sum(coalesce(item_revenue, price * quantity)) as item_revenue
    from event_items
    group by event_id
),

final as (
    select
        purchases.transaction_id as order_id,
        purchases.event_id,
        purchases.session_key,
        purchases.user_pseudo_id,
        purchases.has_analytics_consent,
        purchases.event_at as ordered_at,
        purchases.device_category,
        purchases.geo_region,
        cast(coalesce(item_totals.item_quantity, 0) as integer) as item_quantity,
        cast(coalesce(purchases.purchase_revenue, item_totals.item_revenue, 0) as numeric(18, 2)) as revenue,
        case when purchases.has_analytics_consent = false then null else purchases.user_id end as user_id
    from purchases
    left join item_totals
        on purchases.event_id = item_totals.event_id
    where purchases.purchase_rank = 1
)

select * from final
