-- Customers, buyers, orders and revenue per value of each segment column of dim_customers,
-- split by the customer attributes the app filters on (region, RFM segment, behaviour
-- segment): one row per segment column, segment, region, rfm_segment and behaviour_segment,
-- so a page sums at most a few thousand rows instead of every customer. segment is the
-- column's value, 'unknown' when the customer has none. Every measure is additive.

{%- set segment_columns = [
    'rfm_segment',
    'behaviour_segment',
    'current_buying_cycle_position',
    'current_funnel_stage',
    'preferred_channel',
    'region',
    'age_band',
] %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

{% for column in segment_columns %}
by_{{ column }} as (
    select
        '{{ column }}' as segment_column,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown') as segment,
        region,
        rfm_segment,
        behaviour_segment,
        count(*) as customers,
        count(case when order_count > 0 then 1 end) as customers_with_orders,
        sum(order_count) as orders,
        sum(total_revenue) as revenue
    from customers
    group by
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown'),
        region,
        rfm_segment,
        behaviour_segment
),

{% endfor %}
unioned as (
    {% for column in segment_columns %}
    select * from by_{{ column }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        cast(segment_column as {{ dbt.type_string() }}) as segment_column,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(behaviour_segment as {{ dbt.type_string() }}) as behaviour_segment,
        cast(customers as bigint) as customers,
        cast(customers_with_orders as bigint) as customers_with_orders,
        cast(orders as bigint) as orders,
        cast(revenue as numeric(18, 2)) as revenue
    from unioned
)

select * from final
