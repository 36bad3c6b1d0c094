{{ config(materialized='view') }}

-- Credits of the six rule-based models, one row per conversion x model x touch that earns
-- credit (credits of one conversion and model sum to 1):
--   first_touch / last_touch: all to the first / last touch;
--   last_non_direct: all to the last touch whose channel group is not in var
--     attribution_direct_channel_groups, or to the last touch when every touch is direct;
--   linear: evenly;
--   time_decay: weight 2^(-age / half-life), age = time from touch to conversion, half-life
--     var attribution_time_decay_half_life_days, normalised per conversion (computed relative
--     to the latest touch, which changes no credit);
--   position_based: var attribution_position_based_weights (first, middle, last); one touch
--     gets 1, two touches split first + last in proportion (the middle share goes to them), from
--     three touches the middle share is split evenly among the middle touches.
-- A view: fct_attribution_credits is its only reader and it has no test, so it is computed
-- once either way; as a table it also wrote its millions of rows every build (at 1M people
-- the two credit models and fct_attribution_credits took 16.7 s as tables, 13.8 s as views).

{%- set weights = parcours.position_based_weights() %}
{%- set w_first = weights['first'] | float %}
{%- set w_middle = weights['middle'] | float %}
{%- set w_last = weights['last'] | float %}
{%- set ends = w_first + w_last %}
{%- set two_touch_first = (w_first / ends) if ends > 0 else 0.5 %}
{%- set half_life_seconds = (var('attribution_time_decay_half_life_days') | float) * 86400 %}

with

paths as (
    select * from {{ ref('int_attribution__conversion_paths') }}
),

positioned as (
    select
        conversion_id,
        touchpoint_id,
        touch_position,
        touch_count,
        coalesce(
            max(case when not is_direct then touch_position end) over (partition by conversion_id),
            touch_count
        ) as last_non_direct_position,
        seconds_before_conversion
        - min(seconds_before_conversion) over (partition by conversion_id) as seconds_after_latest
    from paths
),

weighted as (
    select
        *,
        -- relative to the latest touch (weight 1), rounded to the 15 decimals of sum_exact, so
        -- a path's weights never sum to 0 and one touch gets exactly 1
        cast(cast(
            power(0.5, seconds_after_latest / {{ half_life_seconds }}) as numeric(38, 15)
        ) as {{ parcours.type_double() }}) as decay_weight
    from positioned
),

first_touch as (
    select
        conversion_id,
        'first_touch' as attribution_model,
        touchpoint_id,
        touch_position,
        1.0 as credit
    from positioned
    where touch_position = 1
),

last_touch as (
    select
        conversion_id,
        'last_touch' as attribution_model,
        touchpoint_id,
        touch_position,
        1.0 as credit
    from positioned
    where touch_position = touch_count
),

last_non_direct as (
    select
        conversion_id,
        'last_non_direct' as attribution_model,
        touchpoint_id,
        touch_position,
        1.0 as credit
    from positioned
    where touch_position = last_non_direct_position
),

linear as (
    select
        conversion_id,
        'linear' as attribution_model,
        touchpoint_id,
        touch_position,
        1.0 / touch_count as credit
    from positioned
),

time_decay as (
    select
        conversion_id,
        'time_decay' as attribution_model,
        touchpoint_id,
        touch_position,
        decay_weight / {{ parcours.sum_exact('decay_weight', 'conversion_id') }} as credit
    from weighted
),

position_based as (
    select
        conversion_id,
        'position_based' as attribution_model,
        touchpoint_id,
        touch_position,
        case
            when touch_count = 1 then 1.0
            when touch_count = 2 and touch_position = 1 then {{ two_touch_first }}
            when touch_count = 2 then {{ 1 - two_touch_first }}
            when touch_position = 1 then {{ w_first }}
            when touch_position = touch_count then {{ w_last }}
            else {{ w_middle }} / (touch_count - 2)
        end as credit
    from positioned
),

unioned as (
    select * from first_touch
    union all
    select * from last_touch
    union all
    select * from last_non_direct
    union all
    select * from linear
    union all
    select * from time_decay
    union all
    select * from position_based
),

final as (
    select
        conversion_id,
        attribution_model,
        touchpoint_id,
        touch_position,
        cast(credit as {{ parcours.type_double() }}) as credit
    from unioned
    where credit > 0
)

select * from final
