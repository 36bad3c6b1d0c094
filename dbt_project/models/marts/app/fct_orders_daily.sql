-- Orders and net revenue per local order day, order channel (online / store), region and
-- store: fct_orders summed to the grain the app filters it by, so the page sums a few
-- thousand rows instead of every order. Every measure is additive.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

final as (
    select
        order_date,
        order_channel,
        region,
        store_id,
        business_unit,
        cast(count(*) as bigint) as orders,
        cast(sum(revenue) as numeric(18, 2)) as revenue,
        cast(sum(net_revenue) as numeric(18, 2)) as net_revenue
    from orders
    group by
        order_date,
        order_channel,
        region,
        store_id,
        business_unit
)

select * from final
