-- Attribution credits of every conversion (every order, online and in store) under seven
-- models side by side, one row per conversion x model x touch that earns credit. See
-- _attribution__models.yml for the definitions and int_attribution__* for the rules.

with

rule_based_credits as (
    select * from {{ ref('int_attribution__rule_based_credits') }}
),

markov_credits as (
    select * from {{ ref('int_attribution__markov_credits') }}
),

paths as (
    select * from {{ ref('int_attribution__conversion_paths') }}
),

conversions as (
    select * from {{ ref('int_attribution__conversions') }}
),

credits as (
    select * from rule_based_credits
    union all
    select * from markov_credits
),

final as (
    select
        {{ parcours.surrogate_key([
            'credits.conversion_id', 'credits.attribution_model', 'credits.touch_position'
        ]) }} as attribution_credit_id,
        credits.conversion_id,
        credits.attribution_model,
        credits.touchpoint_id,
        paths.touchpoint_at,
        paths.touch_position,
        paths.touch_count,
        paths.channel,
        paths.channel_group,
        paths.markov_state,
        paths.campaign,
        paths.content,
        cast(credits.credit as {{ parcours.type_double() }}) as credit,
        cast(credits.credit * conversions.revenue as {{ parcours.type_double() }}) as revenue_credit,
        cast(credits.credit * conversions.net_revenue as {{ parcours.type_double() }}) as net_revenue_credit,
        conversions.conversion_channel,
        conversions.converted_at,
        conversions.conversion_date,
        cast({{ dbt.date_trunc('week', 'conversions.conversion_date') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'conversions.conversion_date') }} as date) as month_start,
        conversions.region,
        conversions.store_id,
        conversions.business_unit,
        conversions.customer_key
    from credits
    inner join paths
        on
            credits.conversion_id = paths.conversion_id
            and credits.touch_position = paths.touch_position
    inner join conversions
        on credits.conversion_id = conversions.conversion_id
)

select * from final
