-- The KPI marts add up to the core marts they slice: net revenue of fct_kpi_daily (within its
-- days) and of fct_channel_mix_monthly equals fct_orders'; every segmentation of
-- fct_segment_summary and fct_cross_channel_customers counts each customer of dim_customers
-- once; every customer with a stage history is aware once in fct_funnel_daily. Returns one
-- row per check that does not hold.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

stage_history as (
    select * from {{ ref('fct_customer_stage_history') }}
),

kpi_daily as (
    select * from {{ ref('fct_kpi_daily') }}
),

channel_mix as (
    select * from {{ ref('fct_channel_mix_monthly') }}
),

segment_summary as (
    select * from {{ ref('fct_segment_summary') }}
),

cross_channel_customers as (
    select * from {{ ref('fct_cross_channel_customers') }}
),

funnel_daily as (
    select * from {{ ref('fct_funnel_daily') }}
),

kpi_days as (
    select
        min(date_day) as first_day,
        max(date_day) as last_day
    from kpi_daily
),

kpi_revenue as (
    select coalesce(sum(numerator), 0) as revenue
    from kpi_daily
    where kpi_name in ('revenue_online', 'revenue_store')
),

order_totals as (
    select
        count(*) as orders,
        coalesce(sum(net_revenue), 0) as revenue
    from orders
),

order_revenue_in_kpi_days as (
    select coalesce(sum(orders.net_revenue), 0) as revenue
    from orders
    cross join kpi_days
    where orders.order_date between kpi_days.first_day and kpi_days.last_day
),

mix_totals as (
    select
        coalesce(sum(orders), 0) as orders,
        coalesce(sum(revenue), 0) as revenue
    from channel_mix
),

customer_count as (
    select count(*) as customers
    from customers
),

segment_type_totals as (
    select
        segment_type,
        sum(customers) as customers
    from segment_summary
    group by segment_type
),

mismatched_segment_types as (
    select count(*) as segment_types
    from segment_type_totals
    cross join customer_count
    where segment_type_totals.customers != customer_count.customers
),

cross_channel_count as (
    select count(*) as customers
    from cross_channel_customers
),

aware_customers as (
    select coalesce(sum(customers_entered), 0) as customers
    from funnel_daily
    where funnel_stage = 'awareness'
),

staged_customers as (
    select count(distinct customer_key) as customers
    from stage_history
),

checks as (
    select
        'fct_kpi_daily revenue = fct_orders net revenue' as check_name,
        kpi_revenue.revenue = order_revenue_in_kpi_days.revenue as holds
    from kpi_revenue
    cross join order_revenue_in_kpi_days
    union all
    select
        'fct_channel_mix_monthly revenue and orders = fct_orders' as check_name,
        mix_totals.revenue = order_totals.revenue and mix_totals.orders = order_totals.orders as holds
    from mix_totals
    cross join order_totals
    union all
    select
        'fct_segment_summary counts every customer once per segment_type' as check_name,
        segment_types = 0 as holds
    from mismatched_segment_types
    union all
    select
        'fct_cross_channel_customers has every customer' as check_name,
        cross_channel_count.customers = customer_count.customers as holds
    from cross_channel_count
    cross join customer_count
    union all
    select
        'fct_funnel_daily: every customer with a stage history is aware once' as check_name,
        aware_customers.customers = staged_customers.customers as holds
    from aware_customers
    cross join staged_customers
),

final as (
    select check_name
    from checks
    where not coalesce(holds, false)
)

select * from final
