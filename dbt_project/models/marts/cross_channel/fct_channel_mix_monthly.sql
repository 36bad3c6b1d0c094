-- Channel mix per month: touchpoints (fct_touchpoints) and orders / net revenue (fct_orders,
-- online orders under channel web, store sales under store) per channel, region and customer
-- segment. Known customers are sliced by their reporting attributes; anonymous touchpoints
-- and orders by their own region under segment 'unknown'.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

activity as (
    select
        {{ parcours.month_start(parcours.reporting_date('touchpoints.touchpoint_at')) }} as month_start,
        touchpoints.channel,
        touchpoints.customer_key,
        coalesce(attributes.region, touchpoints.region, 'unknown') as region,
        coalesce(attributes.rfm_segment, 'unknown') as rfm_segment,
        coalesce(attributes.behaviour_segment, 'unknown') as behaviour_segment,
        1 as touchpoints,
        0 as orders,
        cast(0 as numeric(18, 2)) as revenue
    from touchpoints
    left join attributes
        on touchpoints.customer_key = attributes.customer_key
    union all
    select
        {{ parcours.month_start('orders.order_date') }} as month_start,
        case orders.order_channel when 'online' then 'web' else 'store' end as channel,
        orders.customer_key,
        coalesce(attributes.region, orders.region, 'unknown') as region,
        coalesce(attributes.rfm_segment, 'unknown') as rfm_segment,
        coalesce(attributes.behaviour_segment, 'unknown') as behaviour_segment,
        0 as touchpoints,
        1 as orders,
        orders.net_revenue as revenue
    from orders
    left join attributes
        on orders.customer_key = attributes.customer_key
),

final as (
    select
        month_start,
        channel,
        region,
        rfm_segment,
        behaviour_segment,
        cast(sum(touchpoints) as bigint) as touchpoints,
        cast(count(distinct customer_key) as bigint) as customers,
        cast(sum(orders) as bigint) as orders,
        cast(sum(revenue) as numeric(18, 2)) as revenue
    from activity
    group by month_start, channel, region, rfm_segment, behaviour_segment
)

select * from final
