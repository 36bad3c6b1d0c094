-- ROPO (research online, purchase offline) and showrooming (store visit, purchase online) per
-- week and customer region. A week's researchers / store visitors are the customers with an
-- origin (int_cross_channel__origins) that week; ropo / showrooming customers those of them
-- with an origin that week followed by a purchase in the other channel within the window.
-- Revenue and orders are those of the deferred purchases (int_cross_channel__deferred_purchases)
-- credited to the week of their latest origin. Buyers count customers ordering that week.

with

origins as (
    select * from {{ ref('int_cross_channel__origins') }}
),

deferred_purchases as (
    select * from {{ ref('int_cross_channel__deferred_purchases') }}
),

purchases as (
    select * from {{ ref('int_cross_channel__purchases') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

origin_weeks as (
    select
        {{ parcours.week_start('origins.origin_date') }} as week_start,
        attributes.region,
        origins.behaviour,
        origins.customer_key,
        origins.is_followed_by_purchase
    from origins
    inner join attributes
        on origins.customer_key = attributes.customer_key
),

origin_measures as (
    select
        week_start,
        region,
        count(distinct case when behaviour = 'ropo' then customer_key end) as web_researchers,
        count(distinct case when behaviour = 'ropo' and is_followed_by_purchase then customer_key end)
            as ropo_customers,
        count(distinct case when behaviour = 'showrooming' then customer_key end) as store_visitors,
        count(
            distinct case when behaviour = 'showrooming' and is_followed_by_purchase then customer_key end
        ) as showrooming_customers,
        0 as ropo_orders,
        0 as ropo_revenue,
        0 as showrooming_orders,
        0 as showrooming_revenue,
        0 as store_buyers,
        0 as store_buyers_after_research,
        0 as online_buyers,
        0 as online_buyers_after_visit
    from origin_weeks
    group by week_start, region
),

deferred_weeks as (
    select
        deferred_purchases.*,
        {{ parcours.week_start('deferred_purchases.last_origin_date') }} as week_start,
        attributes.region
    from deferred_purchases
    inner join attributes
        on deferred_purchases.customer_key = attributes.customer_key
),

deferred_measures as (
    select
        week_start,
        region,
        0 as web_researchers,
        0 as ropo_customers,
        0 as store_visitors,
        0 as showrooming_customers,
        sum(case when behaviour = 'ropo' then 1 else 0 end) as ropo_orders,
        sum(case when behaviour = 'ropo' then net_revenue else 0 end) as ropo_revenue,
        sum(case when behaviour = 'showrooming' then 1 else 0 end) as showrooming_orders,
        sum(case when behaviour = 'showrooming' then net_revenue else 0 end) as showrooming_revenue,
        0 as store_buyers,
        0 as store_buyers_after_research,
        0 as online_buyers,
        0 as online_buyers_after_visit
    from deferred_weeks
    group by week_start, region
),

buyer_weeks as (
    select
        purchases.customer_key,
        purchases.order_channel,
        deferred_purchases.behaviour,
        {{ parcours.week_start('purchases.order_date') }} as week_start,
        attributes.region
    from purchases
    inner join attributes
        on purchases.customer_key = attributes.customer_key
    left join deferred_purchases
        on purchases.order_key = deferred_purchases.order_key
),

buyer_measures as (
    select
        week_start,
        region,
        0 as web_researchers,
        0 as ropo_customers,
        0 as store_visitors,
        0 as showrooming_customers,
        0 as ropo_orders,
        0 as ropo_revenue,
        0 as showrooming_orders,
        0 as showrooming_revenue,
        count(distinct case when order_channel = 'store' then customer_key end) as store_buyers,
        count(distinct case when behaviour = 'ropo' then customer_key end) as store_buyers_after_research,
        count(distinct case when order_channel = 'online' then customer_key end) as online_buyers,
        count(distinct case when behaviour = 'showrooming' then customer_key end) as online_buyers_after_visit
    from buyer_weeks
    group by week_start, region
),

unioned as (
    select * from origin_measures
    union all
    select * from deferred_measures
    union all
    select * from buyer_measures
),

final as (
    select
        week_start,
        region,
        cast(sum(web_researchers) as bigint) as web_researchers,
        cast(sum(ropo_customers) as bigint) as ropo_customers,
        cast(sum(ropo_orders) as bigint) as ropo_orders,
        cast(sum(ropo_revenue) as numeric(18, 2)) as ropo_revenue,
        cast(sum(store_buyers) as bigint) as store_buyers,
        cast(sum(store_buyers_after_research) as bigint) as store_buyers_after_research,
        cast(sum(store_visitors) as bigint) as store_visitors,
        cast(sum(showrooming_customers) as bigint) as showrooming_customers,
        cast(sum(showrooming_orders) as bigint) as showrooming_orders,
        cast(sum(showrooming_revenue) as numeric(18, 2)) as showrooming_revenue,
        cast(sum(online_buyers) as bigint) as online_buyers,
        cast(sum(online_buyers_after_visit) as bigint) as online_buyers_after_visit
    from unioned
    group by week_start, region
)

select * from final
