{{ config(meta={'dagster': {'ref': {'name': 'fct_attribution_markov_channels'}}}) }}

-- The markov credits applied in SQL agree with the Python solver: each state's share of all
-- conversions equals the solver's share (within 1e-9), and the seven models are all there.
-- Returns the states that disagree, or one row when a model is missing.

with

channels as (
    select * from {{ ref('fct_attribution_markov_channels') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

disagreeing as (
    select markov_state as problem
    from channels
    where abs(credit_share - solver_credit_share) > 0.000000001
),

model_count as (
    select count(distinct attribution_model) as models
    from credits
),

final as (
    select problem from disagreeing
    union all
    select 'not all seven attribution models have credits' as problem
    from model_count
    where models != 7 and (select count(*) as credit_rows from credits) > 0
)

select * from final
