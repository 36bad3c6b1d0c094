-- Purchases of known customers in order, for cohorts and lifetime value: one row per purchase
-- of int_cross_channel__purchases with its rank among the customer's purchases (ties broken
-- by order_key), the customer's first purchase, cohort month (month of the first purchase,
-- local dates) and months since it, and whether the CRM knows the customer bought before the
-- data starts (a prior_purchase signal of int_journey__customer_signals).

with

purchases as (
    select * from {{ ref('int_cross_channel__purchases') }}
),

signals as (
    select * from {{ ref('int_journey__customer_signals') }}
),

prior_buyers as (
    select distinct customer_key
    from signals
    where signal_type = 'prior_purchase'
),

ranked as (
    select
        *,
        row_number() over (partition by customer_key order by ordered_at, order_key) as order_number,
        min(order_date) over (partition by customer_key) as first_order_date
    from purchases
),

final as (
    select
        ranked.order_key,
        ranked.customer_key,
        ranked.order_channel,
        ranked.ordered_at,
        ranked.order_date,
        ranked.net_revenue,
        cast(ranked.order_number as integer) as order_number,
        ranked.first_order_date,
        {{ parcours.month_start('ranked.first_order_date') }} as cohort_month,
        cast({{ dbt.datediff(
            parcours.month_start('ranked.first_order_date'), parcours.month_start('ranked.order_date'), 'month'
        ) }} as integer) as months_since_first_order,
        prior_buyers.customer_key is not null as has_purchase_history_before_data
    from ranked
    left join prior_buyers
        on ranked.customer_key = prior_buyers.customer_key
)

select * from final
