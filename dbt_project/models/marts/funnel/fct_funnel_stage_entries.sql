-- Which funnel stages each customer reached and when (first entry), how long until the next
-- stage, with the customer's slicing attributes: one row per customer_key x funnel_stage
-- (int_funnel__stage_entries, attributes of int_customers__reporting_attributes).

with

entries as (
    select * from {{ ref('int_funnel__stage_entries') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

final as (
    select
        entries.customer_key,
        entries.funnel_stage,
        cast(entries.funnel_stage_order as integer) as stage_order,
        entries.entered_on,
        {{ parcours.week_start('entries.entered_on') }} as week_start,
        {{ parcours.month_start('entries.entered_on') }} as month_start,
        entries.is_direct_entry,
        entries.next_funnel_stage,
        entries.next_stage_entered_on,
        cast({{ dbt.datediff(
            'entries.entered_on', 'entries.next_stage_entered_on', 'day'
        ) }} as integer) as days_to_next_stage,
        attributes.acquisition_channel,
        attributes.acquisition_channel_group,
        attributes.region,
        attributes.store_id,
        attributes.business_unit,
        attributes.rfm_segment,
        attributes.behaviour_segment
    from entries
    inner join attributes
        on entries.customer_key = attributes.customer_key
)

select * from final
