-- The headline KPIs of the overview page, one row per day x kpi_name x region x channel,
-- each as numerator and denominator (1 for counts and sums) so any slice re-aggregates as
-- sum(numerator) / sum(denominator). Days are those of the data (first to newest touchpoint
-- day, var reporting_timezone). Definitions are in _kpis__models.yml.

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

customer_days as (
    select * from {{ ref('int_kpis__customer_days') }}
),

customer_orders as (
    select * from {{ ref('int_retention__customer_orders') }}
),

origins as (
    select * from {{ ref('int_cross_channel__origins') }}
),

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

data_days as (
    select
        min({{ parcours.reporting_date('touchpoint_at') }}) as first_day,
        max({{ parcours.reporting_date('touchpoint_at') }}) as last_day
    from touchpoints
),

buyer_days as (
    select
        customer_orders.customer_key,
        customer_orders.order_date as date_day,
        customer_orders.order_number,
        customer_orders.has_purchase_history_before_data,
        case customer_orders.order_channel when 'online' then 'web' else 'store' end as channel,
        row_number() over (
            partition by customer_orders.customer_key, customer_orders.order_date
            order by customer_orders.ordered_at, customer_orders.order_key
        ) as order_rank_of_day
    from customer_orders
),

buyers as (
    select
        buyer_days.date_day,
        'customers' as kpi_name,
        'count' as kpi_kind,
        attributes.region,
        buyer_days.channel,
        count(*) as numerator,
        1 as denominator
    from buyer_days
    inner join attributes
        on buyer_days.customer_key = attributes.customer_key
    where buyer_days.order_rank_of_day = 1
    group by buyer_days.date_day, attributes.region, buyer_days.channel
),

new_customers as (
    select
        buyer_days.date_day,
        'new_customers' as kpi_name,
        'count' as kpi_kind,
        attributes.region,
        buyer_days.channel,
        count(*) as numerator,
        1 as denominator
    from buyer_days
    inner join attributes
        on buyer_days.customer_key = attributes.customer_key
    where buyer_days.order_number = 1 and not buyer_days.has_purchase_history_before_data
    group by buyer_days.date_day, attributes.region, buyer_days.channel
),

active_customers as (
    select
        date_day,
        'active_customers' as kpi_name,
        'count' as kpi_kind,
        region,
        primary_channel as channel,
        count(*) as numerator,
        1 as denominator
    from customer_days
    group by date_day, region, primary_channel
),

cross_channel_share as (
    select
        date_day,
        'cross_channel_share' as kpi_name,
        'ratio' as kpi_kind,
        region,
        primary_channel as channel,
        sum(case when is_cross_channel_in_window then 1 else 0 end) as numerator,
        count(*) as denominator
    from customer_days
    group by date_day, region, primary_channel
),

revenue as (
    select
        order_date as date_day,
        case order_channel when 'online' then 'revenue_online' else 'revenue_store' end as kpi_name,
        'sum' as kpi_kind,
        coalesce(region, 'unknown') as region,
        case order_channel when 'online' then 'web' else 'store' end as channel,
        sum(net_revenue) as numerator,
        1 as denominator
    from orders
    group by order_date, order_channel, coalesce(region, 'unknown')
),

conversion_rate as (
    select
        session_date as date_day,
        'conversion_rate' as kpi_name,
        'ratio' as kpi_kind,
        coalesce(geo_region, 'unknown') as region,
        'web' as channel,
        sum(case when has_conversion then 1 else 0 end) as numerator,
        count(*) as denominator
    from sessions
    where not is_bot
    group by session_date, coalesce(geo_region, 'unknown')
),

researcher_days as (
    select
        origins.customer_key,
        origins.origin_date as date_day,
        max(case when origins.is_followed_by_purchase then 1 else 0 end) as is_ropo
    from origins
    where origins.behaviour = 'ropo'
    group by origins.customer_key, origins.origin_date
),

ropo_rate as (
    select
        researcher_days.date_day,
        'ropo_rate' as kpi_name,
        'ratio' as kpi_kind,
        attributes.region,
        'web' as channel,
        sum(researcher_days.is_ropo) as numerator,
        count(*) as denominator
    from researcher_days
    inner join attributes
        on researcher_days.customer_key = attributes.customer_key
    group by researcher_days.date_day, attributes.region
),

nps_answers as (
    select
        {{ parcours.reporting_date('touchpoints.touchpoint_at') }} as date_day,
        coalesce(touchpoints.region, attributes.region, 'unknown') as region,
        case touchpoints.sentiment when 'positive' then 1 when 'negative' then -1 else 0 end as promoter_score
    from touchpoints
    left join attributes
        on touchpoints.customer_key = attributes.customer_key
    where touchpoints.touchpoint_type = 'survey_nps'
),

nps as (
    select
        date_day,
        'nps' as kpi_name,
        'ratio' as kpi_kind,
        region,
        'survey' as channel,
        sum(promoter_score) as numerator,
        count(*) as denominator
    from nps_answers
    group by date_day, region
),

store_regions as (
    select
        city,
        min(region) as region
    from stores
    group by city
),

signups as (
    select
        {{ parcours.reporting_date('contacts.created_at') }} as date_day,
        coalesce(store_regions.region, 'unknown') as region
    from contacts
    left join store_regions
        on contacts.city = store_regions.city
    where contacts.consent_email
),

newsletter_signups as (
    select
        date_day,
        'newsletter_signups' as kpi_name,
        'count' as kpi_kind,
        region,
        'email' as channel,
        count(*) as numerator,
        1 as denominator
    from signups
    group by date_day, region
),

email_events as (
    select
        {{ parcours.reporting_date('touchpoints.touchpoint_at') }} as date_day,
        coalesce(attributes.region, 'unknown') as region,
        touchpoints.touchpoint_type
    from touchpoints
    left join attributes
        on touchpoints.customer_key = attributes.customer_key
    where touchpoints.touchpoint_type in ('email_click', 'email_delivered')
),

ad_click_through as (
    select
        date_day,
        'ad_click_through' as kpi_name,
        'ratio' as kpi_kind,
        region,
        'email' as channel,
        sum(case when touchpoint_type = 'email_click' then 1 else 0 end) as numerator,
        sum(case when touchpoint_type = 'email_delivered' then 1 else 0 end) as denominator
    from email_events
    group by date_day, region
),

unioned as (
    select * from buyers
    union all
    select * from new_customers
    union all
    select * from active_customers
    union all
    select * from cross_channel_share
    union all
    select * from revenue
    union all
    select * from conversion_rate
    union all
    select * from ropo_rate
    union all
    select * from nps
    union all
    select * from newsletter_signups
    union all
    select * from ad_click_through
),

final as (
    select
        unioned.date_day,
        unioned.kpi_name,
        unioned.region,
        unioned.channel,
        unioned.kpi_kind,
        {{ parcours.week_start('unioned.date_day') }} as week_start,
        {{ parcours.month_start('unioned.date_day') }} as month_start,
        cast(unioned.numerator as numeric(18, 2)) as numerator,
        cast(unioned.denominator as bigint) as denominator
    from unioned
    cross join data_days
    where unioned.date_day between data_days.first_day and data_days.last_day
)

select * from final
