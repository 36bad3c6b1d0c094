-- The path of every conversion: one row per touch of the conversion's path_key after the
-- previous conversion of that key (strictly) and within var attribution_lookback_days
-- before the conversion (the touch may be as late as the conversion itself: the web session
-- of an online order starts before it). An in-store order thus takes the online touches of
-- the same customer before it. Touches are ordered by time, ties broken by touchpoint_id.
-- A conversion without any touch gets one row for the channel var
-- attribution_no_touch_channel (touchpoint_id null), so every model can give it its credit.

{%- set no_touch = dbt.string_literal(var('attribution_no_touch_channel')) %}
{%- set lookback_start = dbt.dateadd('day', -var('attribution_lookback_days'), 'conversions.converted_at') %}

with

conversions as (
    select * from {{ ref('int_attribution__conversions') }}
),

touches as (
    select * from {{ ref('int_attribution__touches') }}
),

matched as (
    select
        conversions.conversion_id,
        conversions.converted_at,
        touches.touchpoint_id,
        touches.touchpoint_at,
        touches.channel,
        touches.channel_group,
        touches.markov_state,
        touches.campaign,
        touches.content,
        touches.is_direct
    from conversions
    left join touches
        on
            conversions.path_key = touches.path_key
            and conversions.converted_at >= touches.touchpoint_at
            and {{ lookback_start }} <= touches.touchpoint_at
            and (
                conversions.previous_converted_at is null
                or conversions.previous_converted_at < touches.touchpoint_at
            )
),

final as (
    select
        conversion_id,
        touchpoint_id,
        touchpoint_at,
        coalesce(channel, {{ no_touch }}) as channel,
        coalesce(channel_group, {{ no_touch }}) as channel_group,
        coalesce(markov_state, {{ no_touch }}) as markov_state,
        campaign,
        content,
        coalesce(is_direct, false) as is_direct,
        cast(row_number() over (
            partition by conversion_id
            order by touchpoint_at, touchpoint_id
        ) as integer) as touch_position,
        cast(count(*) over (partition by conversion_id) as integer) as touch_count,
        coalesce({{ dbt.datediff('touchpoint_at', 'converted_at', 'second') }}, 0)
            as seconds_before_conversion
    from matched
)

select * from final
