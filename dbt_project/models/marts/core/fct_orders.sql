-- Online and in-store orders in one fact, one row per sale: GA4 purchases with a
-- transaction_id (online) and Square sales (store), with their returns (Square return
-- orders summed onto the sale they name) and net revenue. Training-till transactions are
-- left out (fct_source_reconciliation counts them). customer_key comes from the order's
-- identity record: the GA4 cookie of an online order, the Square order of a store sale.

with

online_orders as (
    select * from {{ ref('int_orders__online_orders') }}
),

store_orders as (
    select * from {{ ref('int_orders__store_orders') }}
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
),

online as (
    select
        'online' as order_channel,
        order_id,
        'ga4' as record_source,
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        has_analytics_consent,
        ordered_at,
        {{ parcours.utc_to_local_timestamp('ordered_at', "'" ~ var('reporting_timezone') ~ "'") }}
            as ordered_at_local,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as store_name,
        geo_region as region,
        cast(null as {{ dbt.type_string() }}) as business_unit,
        session_key,
        user_id,
        cast(null as {{ dbt.type_string() }}) as loyalty_card_number,
        cast(null as {{ dbt.type_string() }}) as payment_type,
        device_category,
        item_quantity,
        revenue as gross_amount,
        cast(0 as numeric(18, 2)) as discount_amount,
        revenue,
        0 as return_count,
        cast(0 as numeric(18, 2)) as returned_amount,
        cast(null as {{ dbt.type_timestamp() }}) as first_returned_at
    from online_orders
),

store as (
    select
        'store' as order_channel,
        order_id,
        'pos' as record_source,
        'pos_order' as record_type,
        order_id as record_id,
        cast(null as boolean) as has_analytics_consent,
        ordered_at,
        ordered_at_local,
        store_id,
        store_name,
        region,
        business_unit,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_string() }}) as user_id,
        loyalty_card_number,
        payment_type,
        cast(null as {{ dbt.type_string() }}) as device_category,
        item_quantity,
        gross_amount,
        discount_amount,
        revenue,
        return_count,
        returned_amount,
        first_returned_at
    from store_orders
    where not is_training
),

unioned as (
    select * from online
    union all
    select * from store
),

final as (
    select
        {{ parcours.surrogate_key(['unioned.order_channel', 'unioned.order_id']) }} as order_key,
        unioned.order_id,
        unioned.order_channel,
        unioned.order_channel = 'online' as is_online,
        case
            when unioned.has_analytics_consent = false then null
            else record_customers.customer_key
        end as customer_key,
        unioned.ordered_at,
        unioned.ordered_at_local,
        cast(unioned.ordered_at_local as date) as order_date,
        unioned.store_id,
        unioned.store_name,
        unioned.region,
        unioned.business_unit,
        unioned.session_key,
        unioned.user_id,
        unioned.loyalty_card_number,
        unioned.payment_type,
        unioned.device_category,
        cast(unioned.item_quantity as integer) as item_quantity,
        cast(unioned.gross_amount as numeric(18, 2)) as gross_amount,
        cast(unioned.discount_amount as numeric(18, 2)) as discount_amount,
        cast(unioned.revenue as numeric(18, 2)) as revenue,
        cast(unioned.return_count as integer) as return_count,
        cast(unioned.returned_amount as numeric(18, 2)) as returned_amount,
        cast(unioned.revenue - unioned.returned_amount as numeric(18, 2)) as net_revenue,
        unioned.returned_amount > 0 and unioned.returned_amount >= unioned.revenue as is_fully_returned,
        unioned.first_returned_at,
        unioned.record_source,
        unioned.record_type,
        unioned.record_id
    from unioned
    left join record_customers
        on
            unioned.record_source = record_customers.source
            and unioned.record_type = record_customers.record_type
            and unioned.record_id = record_customers.record_id
)

select * from final
