-- The values each filter of the app offers, with the days they occur: the app reads this
-- small table at every page view instead of scanning the per-event and per-customer marts.
-- Channels and campaigns come from fct_touchpoints (their first and last touchpoint_date:
-- the channels' together give the app's date range), regions and segments from
-- dim_customers, stores from fct_orders with the name and business unit of their earliest
-- order (ordered_at, then order_key), business units from those stores.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
    where store_id is not null
),

channel_values as (
    select
        'channel' as filter_name,
        channel as filter_value,
        min(touchpoint_date) as first_date,
        max(touchpoint_date) as last_date
    from touchpoints
    group by channel
),

campaign_values as (
    select
        'campaign' as filter_name,
        campaign as filter_value,
        min(touchpoint_date) as first_date,
        max(touchpoint_date) as last_date
    from touchpoints
    where campaign is not null
    group by campaign
),

{% for column in ['region', 'rfm_segment', 'behaviour_segment'] %}
{{ column }}_values as (
    select distinct
        '{{ column }}' as filter_name,
        cast({{ column }} as {{ dbt.type_string() }}) as filter_value
    from customers
    where {{ column }} is not null
),

{% endfor %}
store_orders as (
    select
        store_id,
        store_name,
        business_unit,
        order_date,
        row_number() over (partition by store_id order by ordered_at, order_key) as order_rank
    from orders
),

store_values as (
    select
        'store' as filter_name,
        cast(store_id as {{ dbt.type_string() }}) as filter_value,
        max(case when order_rank = 1 then store_name end) as filter_label,
        max(case when order_rank = 1 then business_unit end) as business_unit,
        min(order_date) as first_date,
        max(order_date) as last_date
    from store_orders
    group by store_id
),

business_unit_values as (
    select distinct
        'business_unit' as filter_name,
        business_unit as filter_value
    from store_values
    where business_unit is not null
),

unioned as (
    select
        filter_name,
        filter_value,
        filter_label,
        business_unit,
        first_date,
        last_date
    from store_values
    {% for part in ['channel', 'campaign'] %}
    union all
    select
        filter_name,
        filter_value,
        cast(null as {{ dbt.type_string() }}) as filter_label,
        cast(null as {{ dbt.type_string() }}) as business_unit,
        first_date,
        last_date
    from {{ part }}_values
    {% endfor %}
    {% for part in ['region', 'rfm_segment', 'behaviour_segment', 'business_unit'] %}
    union all
    select
        filter_name,
        filter_value,
        cast(null as {{ dbt.type_string() }}) as filter_label,
        cast(null as {{ dbt.type_string() }}) as business_unit,
        cast(null as date) as first_date,
        cast(null as date) as last_date
    from {{ part }}_values
    {% endfor %}
),

final as (
    select
        cast(filter_name as {{ dbt.type_string() }}) as filter_name,
        cast(filter_value as {{ dbt.type_string() }}) as filter_value,
        cast(filter_label as {{ dbt.type_string() }}) as filter_label,
        cast(business_unit as {{ dbt.type_string() }}) as business_unit,
        cast(first_date as date) as first_date,
        cast(last_date as date) as last_date
    from unioned
)

select * from final
