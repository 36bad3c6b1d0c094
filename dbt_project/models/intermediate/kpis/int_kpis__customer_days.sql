-- The days each known customer was active, one row per customer and day (var
-- reporting_timezone) with an active touchpoint (fct_touchpoints minus the passive types of
-- var cross_channel_passive_touchpoint_types): the channel of the day's first touchpoint
-- (ties broken by touchpoint_id), the customer's reporting region, and the channels the
-- customer was active on over the var kpi_cross_channel_window_days days up to that day.

{%- set window_days = var('kpi_cross_channel_window_days') %}

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

active_touchpoints as (
    select
        customer_key,
        channel,
        touchpoint_at,
        touchpoint_id,
        {{ parcours.reporting_date('touchpoint_at') }} as date_day
    from touchpoints
    where
        customer_key is not null
        and touchpoint_type not in (
            {{ parcours.sql_string_list(var('cross_channel_passive_touchpoint_types')) }}
        )
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_key, date_day
            order by touchpoint_at, touchpoint_id
        ) as touchpoint_rank
    from active_touchpoints
),

customer_channel_days as (
    select distinct
        customer_key,
        date_day,
        channel
    from active_touchpoints
),

window_channels as (
    select
        ranked.customer_key,
        ranked.date_day,
        count(distinct customer_channel_days.channel) as channels_in_window
    from ranked
    inner join customer_channel_days
        on
            ranked.customer_key = customer_channel_days.customer_key
            and ranked.date_day >= customer_channel_days.date_day
            and customer_channel_days.date_day
            > {{ dbt.dateadd('day', -window_days, 'ranked.date_day') }}
    where ranked.touchpoint_rank = 1
    group by ranked.customer_key, ranked.date_day
),

final as (
    select
        ranked.customer_key,
        ranked.date_day,
        ranked.channel as primary_channel,
        attributes.region,
        cast(window_channels.channels_in_window as integer) as channels_in_window,
        window_channels.channels_in_window
        >= {{ var('cross_channel_min_channels') }} as is_cross_channel_in_window
    from ranked
    inner join window_channels
        on
            ranked.customer_key = window_channels.customer_key
            and ranked.date_day = window_channels.date_day
    inner join attributes
        on ranked.customer_key = attributes.customer_key
    where ranked.touchpoint_rank = 1
)

select * from final
