-- Cross-channel versus single-channel customers, one row per customer of dim_customers: the
-- channels the customer is active on (fct_touchpoints, passive touchpoint types of var
-- cross_channel_passive_touchpoint_types left out), whether that makes them cross-channel
-- (var cross_channel_min_channels), the channels they buy in, and their orders and net
-- revenue (dim_customers), with the slicing attributes.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

active_channels as (
    select
        customer_key,
        count(distinct channel) as channel_count,
        {%- for channel in ['web', 'email', 'social', 'store', 'survey', 'customer_service'] %}
        max(case when channel = '{{ channel }}' then 1 else 0 end) = 1 as is_active_{{ channel }},
        {%- endfor %}
        count(*) as active_touchpoints
    from touchpoints
    where
        customer_key is not null
        and touchpoint_type not in (
            {{ parcours.sql_string_list(var('cross_channel_passive_touchpoint_types')) }}
        )
    group by customer_key
),

final as (
    select
        customers.customer_key,
        cast(coalesce(active_channels.channel_count, 0) as integer) as channel_count,
        coalesce(active_channels.channel_count, 0)
        >= {{ var('cross_channel_min_channels') }} as is_cross_channel,
        {%- for channel in ['web', 'email', 'social', 'store', 'survey', 'customer_service'] %}
        coalesce(active_channels.is_active_{{ channel }}, false) as is_active_{{ channel }},
        {%- endfor %}
        cast(coalesce(active_channels.active_touchpoints, 0) as bigint) as active_touchpoints,
        customers.online_order_count > 0 as buys_online,
        customers.store_order_count > 0 as buys_in_store,
        customers.online_order_count > 0 and customers.store_order_count > 0 as is_omnichannel_buyer,
        customers.order_count,
        customers.online_order_count,
        customers.store_order_count,
        customers.total_revenue,
        customers.online_revenue,
        customers.store_revenue,
        attributes.region,
        attributes.acquisition_channel,
        customers.rfm_segment,
        customers.behaviour_segment,
        {{ parcours.month_start(parcours.reporting_date('customers.first_order_at')) }} as first_order_month
    from customers
    inner join attributes
        on customers.customer_key = attributes.customer_key
    left join active_channels
        on customers.customer_key = active_channels.customer_key
)

select * from final
