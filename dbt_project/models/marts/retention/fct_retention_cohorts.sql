-- Cohort retention: customers grouped by the month of their first purchase (cohort_month),
-- region, acquisition channel and origin (new, or existing: bought before the data per the
-- CRM), followed month by month from the cohort month to the newest month of data, with the
-- customers active (purchasing) each month, their orders and revenue, and repeat customers
-- (second purchase that month; cumulative_repeat_customers adds them up).

with

customer_orders as (
    select * from {{ ref('int_retention__customer_orders') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

cohort_members as (
    select
        customer_orders.customer_key,
        customer_orders.cohort_month,
        attributes.region,
        attributes.acquisition_channel,
        case when customer_orders.has_purchase_history_before_data then 'existing' else 'new' end
            as customer_origin
    from customer_orders
    inner join attributes
        on customer_orders.customer_key = attributes.customer_key
    where customer_orders.order_number = 1
),

cohorts as (
    select
        cohort_month,
        region,
        acquisition_channel,
        customer_origin,
        count(*) as cohort_customers
    from cohort_members
    group by cohort_month, region, acquisition_channel, customer_origin
),

months as (
    -- every month with a purchase of any customer (the data has purchases every month)
    select distinct {{ parcours.month_start('order_date') }} as activity_month
    from customer_orders
),

grid as (
    select
        cohorts.*,
        cast({{ dbt.datediff(
            'cohorts.cohort_month', 'months.activity_month', 'month'
        ) }} as integer) as months_since_first_order,
        months.activity_month
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.activity_month
),

activity as (
    select
        cohort_members.cohort_month,
        cohort_members.region,
        cohort_members.acquisition_channel,
        cohort_members.customer_origin,
        customer_orders.months_since_first_order,
        count(distinct customer_orders.customer_key) as active_customers,
        count(*) as orders,
        sum(customer_orders.net_revenue) as revenue,
        sum(case when customer_orders.order_number = 2 then 1 else 0 end) as repeat_customers
    from customer_orders
    inner join cohort_members
        on customer_orders.customer_key = cohort_members.customer_key
    group by
        cohort_members.cohort_month,
        cohort_members.region,
        cohort_members.acquisition_channel,
        cohort_members.customer_origin,
        customer_orders.months_since_first_order
),

final as (
    select
        grid.cohort_month,
        grid.months_since_first_order,
        grid.region,
        grid.acquisition_channel,
        grid.customer_origin,
        grid.activity_month,
        cast(grid.cohort_customers as bigint) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(activity.orders, 0) as bigint) as orders,
        cast(coalesce(activity.revenue, 0) as numeric(18, 2)) as revenue,
        cast(coalesce(activity.repeat_customers, 0) as bigint) as repeat_customers,
        cast(sum(coalesce(activity.repeat_customers, 0)) over (
            partition by grid.cohort_month, grid.region, grid.acquisition_channel, grid.customer_origin
            order by grid.months_since_first_order
            rows between unbounded preceding and current row
        ) as bigint) as cumulative_repeat_customers
    from grid
    left join activity
        on
            grid.cohort_month = activity.cohort_month
            and grid.region = activity.region
            and grid.acquisition_channel = activity.acquisition_channel
            and grid.customer_origin = activity.customer_origin
            and grid.months_since_first_order = activity.months_since_first_order
)

select * from final
