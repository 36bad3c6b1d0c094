-- NPS and CSAT per month, survey type, journey moment, funnel stage (at the answer), region
-- and store. Additive: NPS = 100 * (sum(promoters) - sum(detractors)) / sum(answers) over
-- NPS rows; CSAT = sum(satisfied) / sum(answers) over CSAT rows; mean score =
-- sum(score_sum) / sum(answers).

with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

final as (
    select
        month_start,
        survey_type,
        journey_moment,
        coalesce(funnel_stage, 'unknown') as funnel_stage,
        coalesce(region, 'unknown') as region,
        coalesce(store_id, 'none') as store_id,
        count(*) as answers,
        cast(sum(case when is_promoter then 1 else 0 end) as {{ dbt.type_bigint() }}) as promoters,
        cast(sum(case when is_passive then 1 else 0 end) as {{ dbt.type_bigint() }}) as passives,
        cast(sum(case when is_detractor then 1 else 0 end) as {{ dbt.type_bigint() }}) as detractors,
        cast(sum(case when is_satisfied then 1 else 0 end) as {{ dbt.type_bigint() }}) as satisfied,
        cast(sum(score) as {{ dbt.type_bigint() }}) as score_sum,
        cast(sum(case when verbatim is not null then 1 else 0 end) as {{ dbt.type_bigint() }}) as verbatims,
        cast(
            sum(case when verbatim_sentiment = 'positive' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as positive_verbatims,
        cast(
            sum(case when verbatim_sentiment = 'negative' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as negative_verbatims
    from responses
    group by
        month_start,
        survey_type,
        journey_moment,
        coalesce(funnel_stage, 'unknown'),
        coalesce(region, 'unknown'),
        coalesce(store_id, 'none')
)

select * from final
