-- Mention volume, sentiment, reach and engagement per day, platform, brand, sentiment and
-- region. Additive: net sentiment = (sum(positive) - sum(negative)) / (sum(positive) +
-- sum(negative)); share of voice = a brand's sum(mentions) / sum(mentions) of all brands.

with

mentions as (
    select * from {{ ref('fct_social_mentions') }}
),

final as (
    select
        date_day,
        week_start,
        month_start,
        platform,
        brand,
        is_competitor,
        sentiment,
        coalesce(region, 'unknown') as region,
        count(*) as mentions,
        cast(sum(case when sentiment = 'positive' then 1 else 0 end) as {{ dbt.type_bigint() }}) as positive,
        cast(sum(case when sentiment = 'negative' then 1 else 0 end) as {{ dbt.type_bigint() }}) as negative,
        cast(sum(case when sentiment = 'neutral' then 1 else 0 end) as {{ dbt.type_bigint() }}) as neutral,
        cast(sum(case when is_reply then 1 else 0 end) as {{ dbt.type_bigint() }}) as replies,
        cast(
            sum(case when author_customer_key is not null then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as mentions_by_customers,
        cast(sum(potential_reach) as {{ dbt.type_bigint() }}) as potential_reach,
        cast(sum(engagements) as {{ dbt.type_bigint() }}) as engagements
    from mentions
    group by
        date_day,
        week_start,
        month_start,
        platform,
        brand,
        is_competitor,
        sentiment,
        coalesce(region, 'unknown')
)

select * from final
