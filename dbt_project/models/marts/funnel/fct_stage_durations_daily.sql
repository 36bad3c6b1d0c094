-- Time to the next stage as a histogram: customers who moved on from a funnel stage, per day
-- they entered the next stage, stage, whole days it took them and slicing attributes
-- (fct_funnel_stage_entries). Days are whole numbers, so the exact median and percentiles of
-- any slice follow from the counts.

with

entries as (
    select * from {{ ref('fct_funnel_stage_entries') }}
    where days_to_next_stage is not null
),

final as (
    select
        next_stage_entered_on as date_day,
        funnel_stage,
        stage_order,
        days_to_next_stage,
        acquisition_channel,
        region,
        store_id,
        business_unit,
        rfm_segment,
        behaviour_segment,
        {{ parcours.week_start('next_stage_entered_on') }} as week_start,
        {{ parcours.month_start('next_stage_entered_on') }} as month_start,
        cast(count(*) as bigint) as customers_moved_on
    from entries
    group by
        next_stage_entered_on,
        funnel_stage,
        stage_order,
        days_to_next_stage,
        acquisition_channel,
        region,
        store_id,
        business_unit,
        rfm_segment,
        behaviour_segment
)

select * from final
