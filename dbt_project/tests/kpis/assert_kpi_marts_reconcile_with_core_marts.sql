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

checks as (
    select
        'fct_kpi_daily revenue = fct_orders net revenue' as check_name,
        (
            select coalesce(sum(numerator), 0) from kpi_daily
            where kpi_name in ('revenue_online', 'revenue_store')
        ) = (
            select coalesce(sum(orders.net_revenue), 0) from orders
            cross join kpi_days
            where orders.order_date between kpi_days.first_day and kpi_days.last_day
        ) as holds
    union all
    select
        'fct_channel_mix_monthly revenue and orders = fct_orders' as check_name,
        (select sum(revenue) from channel_mix) = (select sum(net_revenue) from orders)
        and (select sum(orders) from channel_mix) = (select count(*) from orders) as holds
    union all
    select
        'fct_segment_summary counts every customer once per segment_type' as check_name,
        (
            select count(*) from (
                select segment_type
                from segment_summary
                group by segment_type
                having sum(customers) != (select count(*) from customers)
            ) as mismatched
        ) = 0 as holds
    union all
    select
        'fct_cross_channel_customers has every customer' as check_name,
        (select count(*) from cross_channel_customers) = (select count(*) from customers) as holds
    union all
    select
        'fct_funnel_daily: every customer with a stage history is aware once' as check_name,
        (select sum(customers_entered) from funnel_daily where funnel_stage = 'awareness')
        = (select count(distinct customer_key) from stage_history) as holds
),

final as (
    select check_name
    from checks
    where not coalesce(holds, false)
)

select * from final
