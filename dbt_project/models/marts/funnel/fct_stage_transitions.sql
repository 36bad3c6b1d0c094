-- Flows between funnel stages for a Sankey diagram and time in stage: one row per from_stage
-- x to_stage x month of the transition x region x behaviour_segment. A transition is the
-- start of a funnel-stage period (int_funnel__stage_periods); from_stage is `entry` for a
-- customer's first period. days_in_from_stage_sum adds the days the customers had spent in
-- from_stage (0 for entries).

with

periods as (
    select * from {{ ref('int_funnel__stage_periods') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

stage_orders as (
    select
        funnel_stage,
        min(funnel_stage_order) as funnel_stage_order
    from journey_stages
    group by funnel_stage
),

transitions as (
    select
        periods.customer_key,
        coalesce(periods.previous_funnel_stage, 'entry') as from_stage,
        periods.funnel_stage as to_stage,
        periods.funnel_stage_order as to_stage_order,
        {{ parcours.month_start('periods.started_on') }} as month_start,
        coalesce(periods.previous_days_in_stage, 0) as days_in_from_stage,
        attributes.region,
        attributes.behaviour_segment
    from periods
    inner join attributes
        on periods.customer_key = attributes.customer_key
),

final as (
    select
        transitions.from_stage,
        transitions.to_stage,
        transitions.month_start,
        transitions.region,
        transitions.behaviour_segment,
        cast(coalesce(stage_orders.funnel_stage_order, 0) as integer) as from_stage_order,
        cast(transitions.to_stage_order as integer) as to_stage_order,
        cast(count(*) as bigint) as transitions,
        cast(count(distinct transitions.customer_key) as bigint) as customers,
        cast(sum(transitions.days_in_from_stage) as bigint) as days_in_from_stage_sum
    from transitions
    left join stage_orders
        on transitions.from_stage = stage_orders.funnel_stage
    group by
        transitions.from_stage,
        transitions.to_stage,
        transitions.month_start,
        transitions.region,
        transitions.behaviour_segment,
        stage_orders.funnel_stage_order,
        transitions.to_stage_order
)

select * from final
