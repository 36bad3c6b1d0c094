-- Campaign reach by day: touchpoints tagged with a campaign (fct_touchpoints), the purchases and
-- revenue among them, and the customers they reached, per reporting day, campaign, channel,
-- region and store. customers_first_reached counts each customer once per campaign and channel,
-- on the touchpoint that first reached them (earliest touchpoint_at, then touchpoint_id), so
-- it adds up over days, regions and stores.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where campaign is not null
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

ranked as (
    select
        touchpoints.*,
        {{ parcours.reporting_date('touchpoints.touchpoint_at') }} as date_day,
        case
            when touchpoints.customer_key is null then 0
            when row_number() over (
                partition by touchpoints.customer_key, touchpoints.campaign, touchpoints.channel
                order by touchpoints.touchpoint_at, touchpoints.touchpoint_id
            ) = 1 then 1
            else 0
        end as is_first_reach,
        case
            when touchpoints.touchpoint_type like '%purchase%' or touchpoints.revenue is not null then 1
            else 0
        end as is_purchase
    from touchpoints
),

final as (
    select
        ranked.date_day,
        ranked.campaign,
        ranked.channel,
        ranked.region,
        ranked.store_id,
        stores.business_unit,
        {{ parcours.week_start('ranked.date_day') }} as week_start,
        {{ parcours.month_start('ranked.date_day') }} as month_start,
        cast(count(*) as bigint) as touchpoints,
        cast(count(distinct ranked.customer_key) as bigint) as customers,
        cast(sum(ranked.is_first_reach) as bigint) as customers_first_reached,
        cast(sum(ranked.is_purchase) as bigint) as purchases,
        cast(coalesce(sum(ranked.revenue), 0) as numeric(18, 2)) as revenue
    from ranked
    left join stores
        on ranked.store_id = stores.store_id
    group by
        ranked.date_day,
        ranked.campaign,
        ranked.channel,
        ranked.region,
        ranked.store_id,
        stores.business_unit
)

select * from final
