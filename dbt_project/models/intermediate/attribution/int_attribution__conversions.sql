-- Every order of fct_orders is a conversion, online and in store, with the key its path is
-- matched on (path_key: the customer_key, else the order's identity record, so an
-- unstitched online order still gets the touches of its own GA4 cookie) and the moment of
-- the same key's previous conversion: a path starts after it (touches before it explained
-- that conversion). Ties of ordered_at are broken by order_key.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

keyed as (
    select
        order_key as conversion_id,
        coalesce(
            customer_key,
            {{ dbt.concat(['record_source', "':'", 'record_type', "':'", 'record_id']) }}
        ) as path_key,
        customer_key,
        order_channel as conversion_channel,
        ordered_at as converted_at,
        order_date as conversion_date,
        region,
        store_id,
        business_unit,
        revenue,
        net_revenue
    from orders
),

final as (
    select
        *,
        lag(converted_at) over (
            partition by path_key
            order by converted_at, conversion_id
        ) as previous_converted_at
    from keyed
)

select * from final
