-- Share of voice of each brand against its competitors, per day and platform: the brand's
-- mentions and reach next to those of every brand (the market) on the same day and platform.
-- Share of voice = sum(mentions) / sum(market_mentions) over any days and platforms of one
-- brand; by reach, sum(potential_reach) / sum(market_potential_reach).

with

mentions as (
    select * from {{ ref('fct_social_mentions') }}
),

brand_days as (
    select
        date_day,
        week_start,
        month_start,
        platform,
        brand,
        is_competitor,
        count(*) as mentions,
        cast(sum(case when sentiment = 'positive' then 1 else 0 end) as {{ dbt.type_bigint() }}) as positive,
        cast(sum(case when sentiment = 'negative' then 1 else 0 end) as {{ dbt.type_bigint() }}) as negative,
        cast(sum(potential_reach) as {{ dbt.type_bigint() }}) as potential_reach
    from mentions
    group by date_day, week_start, month_start, platform, brand, is_competitor
),

final as (
    select
        date_day,
        week_start,
        month_start,
        platform,
        brand,
        is_competitor,
        mentions,
        cast(
            sum(mentions) over (partition by date_day, platform)
            as {{ dbt.type_bigint() }}
        ) as market_mentions,
        positive,
        negative,
        potential_reach,
        cast(
            sum(potential_reach) over (partition by date_day, platform)
            as {{ dbt.type_bigint() }}
        ) as market_potential_reach
    from brand_days
)

select * from final
