-- The app's aggregate marts add up to the marts they sum: fct_orders_daily's orders, revenue
-- and net revenue equal fct_orders'; every segment_column of fct_customer_segment_sizes and
-- every consent of fct_customer_consent_coverage counts each customer of dim_customers once,
-- with dim_customers' orders and revenue. Returns one row per check that does not hold.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

orders_daily as (
    select * from {{ ref('fct_orders_daily') }}
),

segment_sizes as (
    select * from {{ ref('fct_customer_segment_sizes') }}
),

consent_coverage as (
    select * from {{ ref('fct_customer_consent_coverage') }}
),

order_totals as (
    select
        count(*) as orders,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(net_revenue), 0) as net_revenue
    from orders
),

daily_totals as (
    select
        coalesce(sum(orders), 0) as orders,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(net_revenue), 0) as net_revenue
    from orders_daily
),

customer_totals as (
    select
        count(*) as customers,
        coalesce(sum(order_count), 0) as orders,
        coalesce(sum(total_revenue), 0) as revenue
    from customers
),

segment_column_totals as (
    select
        segment_column,
        sum(customers) as customers,
        sum(orders) as orders,
        sum(revenue) as revenue
    from segment_sizes
    group by segment_column
),

mismatched_segment_columns as (
    select count(*) as segment_columns
    from segment_column_totals
    cross join customer_totals
    where
        segment_column_totals.customers != customer_totals.customers
        or segment_column_totals.orders != customer_totals.orders
        or segment_column_totals.revenue != customer_totals.revenue
),

consent_totals as (
    select
        consent,
        sum(customers) as customers
    from consent_coverage
    group by consent
),

mismatched_consents as (
    select count(*) as consents
    from consent_totals
    cross join customer_totals
    where consent_totals.customers != customer_totals.customers
),

checks as (
    select
        'fct_orders_daily orders, revenue and net revenue = fct_orders' as check_name,
        daily_totals.orders = order_totals.orders
        and daily_totals.revenue = order_totals.revenue
        and daily_totals.net_revenue = order_totals.net_revenue as holds
    from daily_totals
    cross join order_totals
    union all
    select
        'fct_customer_segment_sizes counts every customer once per segment_column' as check_name,
        segment_columns = 0 as holds
    from mismatched_segment_columns
    union all
    select
        'fct_customer_consent_coverage counts every customer once per consent' as check_name,
        consents = 0 as holds
    from mismatched_consents
),

final as (
    select check_name
    from checks
    where not coalesce(holds, false)
)

select * from final
