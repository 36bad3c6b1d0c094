{{ config(meta={'dagster': {'ref': {'name': 'fct_attribution_credits'}}}) }}

-- Every conversion (every order of fct_orders) has credits under every attribution model and
-- they sum to 1: returns one row per conversion x model whose credits are missing or do not
-- sum to 1 (within 1e-9).

with

orders as (
    select order_key from {{ ref('fct_orders') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

models as (
    select distinct attribution_model from credits
),

expected as (
    select
        orders.order_key as conversion_id,
        models.attribution_model
    from orders
    cross join models
),

sums as (
    select
        conversion_id,
        attribution_model,
        sum(credit) as credit_sum
    from credits
    group by conversion_id, attribution_model
),

final as (
    select
        expected.conversion_id,
        expected.attribution_model,
        sums.credit_sum
    from expected
    left join sums
        on
            expected.conversion_id = sums.conversion_id
            and expected.attribution_model = sums.attribution_model
    where sums.credit_sum is null or abs(sums.credit_sum - 1) > 0.000000001
)

select * from final
