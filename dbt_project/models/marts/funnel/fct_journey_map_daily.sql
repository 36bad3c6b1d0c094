-- Journey map by day: every touchpoint of a resolved customer counted in the funnel stage the
-- customer was in, per reporting day, stage, channel and the filter columns of the app
-- (touchpoint region, store and campaign; the customer's segments), with sentiment counts and
-- the NPS / CSAT answers among them. Stage-assignment rule:
--   * a touchpoint is in the stage held on its UTC day (fct_customer_stage_history periods
--     [valid_from, valid_to)), the day grain of the stage history;
--   * a survey answer is in the stage it rates: the stage held the day before the answer, as
--     fct_survey_responses says (so a promoter's answer that makes them an advocate counts where
--     they were), else the stage of its day;
--   * touchpoints without a customer (not stitched, no analytics consent) or before the
--     customer's first stage are left out.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where customer_key is not null
),

stage_history as (
    select * from {{ ref('fct_customer_stage_history') }}
),

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

stage_orders as (
    select
        funnel_stage,
        min(funnel_stage_order) as stage_order
    from stage_history
    group by funnel_stage
),

stage_on_day as (
    select
        touchpoints.touchpoint_id,
        stage_history.funnel_stage
    from touchpoints
    inner join stage_history
        on
            touchpoints.customer_key = stage_history.customer_key
            and touchpoints.touchpoint_date >= stage_history.valid_from
            and (stage_history.valid_to is null or touchpoints.touchpoint_date < stage_history.valid_to)
),

answers as (
    select
        touchpoints.touchpoint_id,
        survey_responses.funnel_stage,
        survey_responses.survey_type,
        survey_responses.is_promoter,
        survey_responses.is_detractor,
        survey_responses.is_satisfied
    from touchpoints
    inner join survey_responses
        on
            touchpoints.record_type = 'feedback'
            and touchpoints.record_id = survey_responses.feedback_id
),

staged as (
    select
        touchpoints.touchpoint_id,
        touchpoints.customer_key,
        touchpoints.channel,
        touchpoints.region,
        touchpoints.store_id,
        touchpoints.campaign,
        touchpoints.sentiment,
        answers.survey_type,
        answers.is_promoter,
        answers.is_detractor,
        answers.is_satisfied,
        {{ parcours.reporting_date('touchpoints.touchpoint_at') }} as date_day,
        coalesce(answers.funnel_stage, stage_on_day.funnel_stage) as funnel_stage
    from touchpoints
    left join stage_on_day
        on touchpoints.touchpoint_id = stage_on_day.touchpoint_id
    left join answers
        on touchpoints.touchpoint_id = answers.touchpoint_id
),

final as (
    select
        staged.date_day,
        staged.funnel_stage,
        stage_orders.stage_order,
        staged.channel,
        staged.region,
        staged.store_id,
        stores.business_unit,
        staged.campaign,
        customers.rfm_segment,
        customers.behaviour_segment,
        {{ parcours.week_start('staged.date_day') }} as week_start,
        {{ parcours.month_start('staged.date_day') }} as month_start,
        cast(count(*) as bigint) as touchpoints,
        cast(count(distinct staged.customer_key) as bigint) as customers,
        cast(sum(case when staged.sentiment = 'positive' then 1 else 0 end) as bigint)
            as positive_touchpoints,
        cast(sum(case when staged.sentiment = 'neutral' then 1 else 0 end) as bigint)
            as neutral_touchpoints,
        cast(sum(case when staged.sentiment = 'negative' then 1 else 0 end) as bigint)
            as negative_touchpoints,
        cast(sum(case when staged.survey_type = 'nps' then 1 else 0 end) as bigint) as nps_answers,
        cast(sum(case when staged.is_promoter then 1 else 0 end) as bigint) as promoters,
        cast(sum(case when staged.is_detractor then 1 else 0 end) as bigint) as detractors,
        cast(sum(case when staged.survey_type = 'csat' then 1 else 0 end) as bigint) as csat_answers,
        cast(sum(case when staged.is_satisfied then 1 else 0 end) as bigint) as satisfied_answers
    from staged
    inner join stage_orders
        on staged.funnel_stage = stage_orders.funnel_stage
    left join customers
        on staged.customer_key = customers.customer_key
    left join stores
        on staged.store_id = stores.store_id
    group by
        staged.date_day,
        staged.funnel_stage,
        stage_orders.stage_order,
        staged.channel,
        staged.region,
        staged.store_id,
        stores.business_unit,
        staged.campaign,
        customers.rfm_segment,
        customers.behaviour_segment
)

select * from final
