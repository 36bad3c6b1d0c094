-- Purchases made in one channel after a visit to the other, one row per qualifying purchase
-- (int_cross_channel__purchases) preceded by an origin (int_cross_channel__origins) of the
-- same customer within the behaviour's window: a store purchase within var ropo_window_days
-- after web research (ropo), an online purchase within var showrooming_window_days after a
-- store visit (showrooming). The purchase is credited to the LATEST such origin (ties broken
-- by origin_id), so each purchase and its revenue counts once.

with

origins as (
    select * from {{ ref('int_cross_channel__origins') }}
),

purchases as (
    select * from {{ ref('int_cross_channel__purchases') }}
),

matched as (
    select
        origins.behaviour,
        purchases.order_key,
        purchases.customer_key,
        purchases.order_channel,
        purchases.ordered_at,
        purchases.order_date,
        purchases.net_revenue,
        origins.origin_id,
        origins.origin_at,
        origins.origin_date,
        row_number() over (
            partition by origins.behaviour, purchases.order_key
            order by origins.origin_at desc, origins.origin_id desc
        ) as origin_rank
    from purchases
    inner join origins
        on
            purchases.customer_key = origins.customer_key
            and purchases.order_channel = origins.purchase_channel
            and purchases.ordered_at > origins.origin_at
            and purchases.ordered_at <= {{ dbt.dateadd('day', 'origins.window_days', 'origins.origin_at') }}
),

final as (
    select
        behaviour,
        order_key,
        customer_key,
        order_channel,
        ordered_at,
        order_date,
        net_revenue,
        origin_id as last_origin_id,
        origin_at as last_origin_at,
        origin_date as last_origin_date
    from matched
    where origin_rank = 1
)

select * from final
