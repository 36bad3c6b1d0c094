-- Conversions and revenue credited to each channel and campaign under each attribution
-- model, side by side, by month, conversion channel (online / store), region and store.
-- Sums of fct_attribution_credits: additive over every column.

with

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

final as (
    select
        attribution_model,
        channel,
        channel_group,
        campaign,
        conversion_channel,
        month_start,
        region,
        store_id,
        {{ parcours.sum_exact('credit') }} as conversions,
        {{ parcours.sum_exact('revenue_credit') }} as revenue,
        {{ parcours.sum_exact('net_revenue_credit') }} as net_revenue,
        cast(count(*) as integer) as credited_touches
    from credits
    group by
        attribution_model,
        channel,
        channel_group,
        campaign,
        conversion_channel,
        month_start,
        region,
        store_id
)

select * from final
