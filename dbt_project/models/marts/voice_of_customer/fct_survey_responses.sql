-- Every NPS and CSAT answer, one row per feedback_id: the score and its class (vars
-- nps_promoter_min_score, nps_detractor_max_score, csat_satisfied_min_score), the journey
-- moment asked about, the verbatim with its sentiment (VADER: int_text__scores), and the
-- customer's funnel stage at the time of the answer: the stage held the day before the
-- answer (fct_customer_stage_history), so that the answer itself, which can move a promoter
-- into advocacy, does not decide its own stage; the answer day's stage for a customer first
-- seen that day. Calendar columns in var reporting_timezone.

with

feedback as (
    select * from {{ ref('stg_crm__feedback') }}
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
    where source = 'crm' and record_type = 'feedback'
),

text_scores as (
    select * from {{ ref('int_text__scores') }}
    where text_source = 'survey_verbatim'
),

stage_history as (
    select * from {{ ref('fct_customer_stage_history') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

answers as (
    select
        feedback.*,
        record_customers.customer_key,
        cast(feedback.submitted_at as date) as answer_utc_date,
        cast({{ dbt.dateadd('day', -1, 'cast(feedback.submitted_at as date)') }} as date)
            as day_before_answer,
        {{ parcours.reporting_date('feedback.submitted_at') }} as date_day
    from feedback
    left join record_customers
        on feedback.feedback_id = record_customers.record_id
),

final as (
    select
        answers.feedback_id,
        answers.customer_key,
        answers.survey_type,
        answers.journey_moment,
        coalesce(stage_before.funnel_stage, stage_on_day.funnel_stage) as funnel_stage,
        answers.score,
        answers.survey_type = 'nps' and answers.score >= {{ var('nps_promoter_min_score') }} as is_promoter,
        answers.survey_type = 'nps'
        and answers.score > {{ var('nps_detractor_max_score') }}
        and answers.score < {{ var('nps_promoter_min_score') }} as is_passive,
        answers.survey_type = 'nps' and answers.score <= {{ var('nps_detractor_max_score') }} as is_detractor,
        answers.survey_type = 'csat'
        and answers.score >= {{ var('csat_satisfied_min_score') }} as is_satisfied,
        answers.verbatim,
        text_scores.sentiment as verbatim_sentiment,
        text_scores.sentiment_score as verbatim_sentiment_score,
        text_scores.language as verbatim_language,
        answers.submitted_at,
        answers.date_day,
        cast({{ dbt.date_trunc('week', 'answers.date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'answers.date_day') }} as date) as month_start,
        answers.survey_channel as channel,
        answers.store_id,
        stores.business_unit,
        coalesce(stores.region, customers.region) as region,
        answers.order_id
    from answers
    left join text_scores
        on answers.feedback_id = text_scores.text_id
    left join stage_history as stage_before
        on
            answers.customer_key = stage_before.customer_key
            and answers.day_before_answer >= stage_before.valid_from
            and (stage_before.valid_to is null or answers.day_before_answer < stage_before.valid_to)
    left join stage_history as stage_on_day
        on
            answers.customer_key = stage_on_day.customer_key
            and answers.answer_utc_date >= stage_on_day.valid_from
            and (stage_on_day.valid_to is null or answers.answer_utc_date < stage_on_day.valid_to)
    left join stores
        on answers.store_id = stores.store_id
    left join customers
        on answers.customer_key = customers.customer_key
)

select * from final
