-- Funnel by day: customers entering each funnel stage for the first time, how many of them
-- reached a later stage, and the days it took them, per day and slicing attributes
-- (fct_funnel_stage_entries).

with

entries as (
    select * from {{ ref('fct_funnel_stage_entries') }}
),

final as (
    select
        entered_on as date_day,
        funnel_stage,
        stage_order,
        acquisition_channel,
        region,
        store_id,
        business_unit,
        rfm_segment,
        behaviour_segment,
        week_start,
        month_start,
        cast(count(*) as bigint) as customers_entered,
        cast(count(next_stage_entered_on) as bigint) as customers_moved_on,
        cast(coalesce(sum(days_to_next_stage), 0) as bigint) as days_to_next_stage_sum
    from entries
    group by
        entered_on,
        funnel_stage,
        stage_order,
        acquisition_channel,
        region,
        store_id,
        business_unit,
        rfm_segment,
        behaviour_segment,
        week_start,
        month_start
)

select * from final
