-- Purchases of known customers as the cross-channel rules read them, one row per order of
-- fct_orders with a customer_key (a fully returned order is no purchase when var
-- journey_exclude_returns_from_purchases), with its local order_date and net revenue.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

final as (
    select
        order_key,
        customer_key,
        order_channel,
        ordered_at,
        order_date,
        net_revenue
    from orders
    where
        customer_key is not null
        {%- if var('journey_exclude_returns_from_purchases') %}
        and not is_fully_returned
        {%- endif %}
)

select * from final
