-- Historical lifetime value and churn status of every customer with purchases: orders and
-- net revenue to date (int_retention__customer_orders), tenure, purchase rhythm, and status
-- on the newest day of data (that of the journey rules):
--   * lapsed: no purchase and no activity for var journey_lapsed_inactivity_days;
--   * at_risk: otherwise, no purchase for var retention_at_risk_inactivity_days, or (repeat
--     customers) more days since the last purchase than var retention_at_risk_gap_factor
--     times the customer's average days between purchases;
--   * active: the rest.

{%- set lapsed_days = var('journey_lapsed_inactivity_days') %}

with

customer_orders as (
    select * from {{ ref('int_retention__customer_orders') }}
),

signals as (
    select * from {{ ref('int_journey__customer_signals') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

data_end as (
    select max(signal_date) as as_of_date
    from signals
    where signal_type not in ('prior_purchase', 'prior_advocacy')
),

last_activity as (
    select
        customer_key,
        max(signal_date) as last_activity_date
    from signals
    where signal_type in ('activity', 'purchase')
    group by customer_key
),

customer_summary as (
    select
        customer_key,
        min(cohort_month) as cohort_month,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as order_count,
        sum(case when order_channel = 'online' then 1 else 0 end) as online_order_count,
        sum(case when order_channel = 'store' then 1 else 0 end) as store_order_count,
        sum(net_revenue) as historical_clv,
        max(case when has_purchase_history_before_data then 1 else 0 end)
        = 1 as has_purchase_history_before_data
    from customer_orders
    group by customer_key
),

measured as (
    select
        customer_summary.*,
        data_end.as_of_date,
        {{ dbt.datediff(
            'cast(customer_summary.first_order_at as date)', 'data_end.as_of_date', 'day'
        ) }} as tenure_days,
        case
            when customer_summary.order_count > 1
                then {{ dbt.datediff(
                    'customer_summary.first_order_at', 'customer_summary.last_order_at', 'second'
                ) }} / 86400.0 / (customer_summary.order_count - 1)
        end as avg_days_between_orders,
        {{ dbt.datediff(
            'cast(customer_summary.last_order_at as date)', 'data_end.as_of_date', 'day'
        ) }} as days_since_last_order,
        {{ dbt.datediff(
            'coalesce(last_activity.last_activity_date, cast(customer_summary.last_order_at as date))',
            'data_end.as_of_date',
            'day'
        ) }} as days_since_last_activity
    from customer_summary
    cross join data_end
    left join last_activity
        on customer_summary.customer_key = last_activity.customer_key
),

final as (
    select
        measured.customer_key,
        measured.cohort_month,
        measured.first_order_at,
        measured.last_order_at,
        cast(measured.order_count as integer) as order_count,
        cast(measured.online_order_count as integer) as online_order_count,
        cast(measured.store_order_count as integer) as store_order_count,
        cast(measured.historical_clv as numeric(18, 2)) as historical_clv,
        cast(measured.historical_clv / measured.order_count as numeric(18, 2)) as avg_order_value,
        cast(measured.tenure_days as integer) as tenure_days,
        cast(measured.avg_days_between_orders as double) as avg_days_between_orders,
        cast(measured.days_since_last_order as integer) as days_since_last_order,
        cast(measured.days_since_last_activity as integer) as days_since_last_activity,
        case
            when
                measured.days_since_last_order >= {{ lapsed_days }}
                and measured.days_since_last_activity >= {{ lapsed_days }}
                then 'lapsed'
            when
                measured.days_since_last_order >= {{ var('retention_at_risk_inactivity_days') }}
                then 'at_risk'
            when
                measured.avg_days_between_orders > 0
                and measured.days_since_last_order
                > {{ var('retention_at_risk_gap_factor') }} * measured.avg_days_between_orders
                then 'at_risk'
            else 'active'
        end as churn_status,
        measured.has_purchase_history_before_data,
        measured.as_of_date,
        attributes.region,
        attributes.acquisition_channel,
        attributes.rfm_segment,
        attributes.behaviour_segment
    from measured
    inner join attributes
        on measured.customer_key = attributes.customer_key
)

select * from final
