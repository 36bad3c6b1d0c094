-- The slicing attributes every KPI mart gives a customer, one row per customer_key of
-- dim_customers: reporting region (dim_customers.region, else the region the customer's
-- touchpoints come from most, else 'unknown'), home store and its business unit (the store
-- of most store touchpoints, ties to the smaller store_id; null without one), acquisition
-- channel and channel group (channel of the customer's first touchpoint, ties broken by
-- touchpoint_id; the GA4 channel group when that touchpoint is web), and the segments of
-- dim_customers.

{%- set first_touchpoint = ['touchpoint_at', 'touchpoint_id'] %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

customer_touchpoints as (
    select * from touchpoints
    where customer_key is not null
),

touchpoint_regions as (
    select
        customer_key,
        region,
        row_number() over (partition by customer_key order by count(*) desc, region) as region_rank
    from customer_touchpoints
    where region is not null
    group by customer_key, region
),

store_visits as (
    select
        customer_key,
        store_id,
        row_number() over (partition by customer_key order by count(*) desc, store_id) as store_rank
    from customer_touchpoints
    where store_id is not null and not is_online
    group by customer_key, store_id
),

first_touchpoints as (
    -- one aggregate rather than a row_number() window sorting every touchpoint
    select
        customer_key,
        {{ parcours.first_by('channel', first_touchpoint) }} as channel,
        {{ parcours.first_by("case when channel = 'web' then sub_channel end", first_touchpoint) }}
            as channel_group
    from customer_touchpoints
    group by customer_key
),

final as (
    select
        customers.customer_key,
        store_visits.store_id,
        stores.business_unit,
        first_touchpoints.channel_group as acquisition_channel_group,
        customers.rfm_segment,
        customers.behaviour_segment,
        customers.current_funnel_stage,
        customers.current_buying_cycle_position,
        customers.preferred_channel,
        customers.age_band,
        customers.gender,
        customers.consent_email,
        customers.channel_count,
        customers.order_count,
        customers.online_order_count,
        customers.store_order_count,
        customers.total_revenue,
        coalesce(customers.region, touchpoint_regions.region, 'unknown') as region,
        coalesce(first_touchpoints.channel, 'unknown') as acquisition_channel
    from customers
    left join touchpoint_regions
        on
            customers.customer_key = touchpoint_regions.customer_key
            and touchpoint_regions.region_rank = 1
    left join store_visits
        on
            customers.customer_key = store_visits.customer_key
            and store_visits.store_rank = 1
    left join stores
        on store_visits.store_id = stores.store_id
    left join first_touchpoints
        on customers.customer_key = first_touchpoints.customer_key
)

select * from final
