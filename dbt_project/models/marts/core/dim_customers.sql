-- The 360-degree customer profile, one row per current customer_key (stitched, consented
-- customers of int_identity__record_customers): first and last seen, channels used, online
-- and store orders and revenue, consent per channel (the most restrictive of the customer's
-- CRM contacts, with conflicts flagged), current journey stage in both vocabularies and time
-- in it (fct_customer_stage_history), RFM scores and segment, a behavioural persona-like
-- segment, region (of the CRM contact's city, else of the stores bought in, else of GA4), age
-- band and gender from the CRM.

{%- set recency_days = dbt.datediff('profiles.last_order_at', 'data_end.last_data_at', 'day') %}

with

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

online_orders as (
    select * from {{ ref('int_orders__online_orders') }}
),

store_orders as (
    select * from {{ ref('int_orders__store_orders') }}
),

stage_history as (
    select * from {{ ref('fct_customer_stage_history') }}
),

signals as (
    select * from {{ ref('int_journey__customer_signals') }}
),

resolved_records as (
    select
        customer_key,
        record_type,
        record_id,
        first_seen_at,
        case record_type
            when 'ga4_cookie' then 'web'
            when 'pos_order' then 'store'
            when 'email_event' then 'email'
            when 'mention' then 'social'
            when 'feedback' then 'survey'
            when 'ticket' then 'customer_service'
            when 'contact' then 'crm'
        end as channel
    from record_customers
    where customer_key is not null
),

record_summary as (
    select
        customer_key,
        min(first_seen_at) as first_seen_at,
        count(*) as record_count,
        sum(case when record_type = 'contact' then 1 else 0 end) as contact_count,
        sum(case when record_type = 'ga4_cookie' then 1 else 0 end) as cookie_count
    from resolved_records
    group by customer_key
),

customer_channels as (
    select distinct
        customer_key,
        channel
    from resolved_records
    where channel != 'crm'
),

channel_summary as (
    select
        customer_key,
        {{ dbt.listagg('channel', "', '", 'order by channel') }} as channels_used,
        count(*) as channel_count
    from customer_channels
    group by customer_key
),

last_signals as (
    select
        customer_key,
        max(first_signal_at) as last_seen_at
    from signals
    where signal_type not in ('prior_purchase', 'prior_advocacy')
    group by customer_key
),

customer_orders as (
    select
        record_customers.customer_key,
        'online' as order_channel,
        online_orders.ordered_at,
        online_orders.revenue as net_revenue,
        online_orders.geo_region as region
    from online_orders
    inner join record_customers
        on
            record_customers.record_type = 'ga4_cookie'
            and online_orders.user_pseudo_id = record_customers.record_id
    where record_customers.customer_key is not null
    union all
    select
        record_customers.customer_key,
        'store' as order_channel,
        store_orders.ordered_at,
        store_orders.revenue - store_orders.returned_amount as net_revenue,
        store_orders.region
    from store_orders
    inner join record_customers
        on
            record_customers.record_type = 'pos_order'
            and store_orders.order_id = record_customers.record_id
    where record_customers.customer_key is not null and not store_orders.is_training
),

order_summary as (
    select
        customer_key,
        sum(case when order_channel = 'online' then 1 else 0 end) as online_order_count,
        sum(case when order_channel = 'store' then 1 else 0 end) as store_order_count,
        sum(case when order_channel = 'online' then net_revenue else 0 end) as online_revenue,
        sum(case when order_channel = 'store' then net_revenue else 0 end) as store_revenue,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from customer_orders
    group by customer_key
),

order_regions as (
    select
        customer_key,
        region,
        row_number() over (partition by customer_key order by count(*) desc, region) as region_rank
    from customer_orders
    where region is not null
    group by customer_key, region
),

store_regions_by_city as (
    select
        city,
        min(region) as region
    from stores
    group by city
),

customer_contacts as (
    select
        contacts.*,
        record_customers.customer_key,
        row_number() over (
            partition by record_customers.customer_key
            order by contacts.created_at, contacts.contact_id
        ) as contact_rank
    from contacts
    inner join record_customers
        on
            record_customers.record_type = 'contact'
            and contacts.contact_id = record_customers.record_id
    where record_customers.customer_key is not null
),

consent_summary as (
    select
        customer_key,
        {%- for channel in ['email', 'sms', 'analytics', 'ads'] %}
        case
            when {{ dbt.bool_or('consent_' ~ channel ~ ' = false') }} then false
            when {{ dbt.bool_or('consent_' ~ channel) }} then true
        end as consent_{{ channel }},
        {%- endfor %}
        {%- set disagreements = [] %}
        {%- for channel in ['email', 'sms', 'analytics', 'ads'] %}
        {%- do disagreements.append('count(distinct consent_' ~ channel ~ ') > 1') %}
        {%- endfor %}
        {{ disagreements | join(' or ') }} as has_consent_conflict
    from customer_contacts
    group by customer_key
),

primary_contacts as (
    select
        customer_contacts.customer_key,
        customer_contacts.contact_id as primary_contact_id,
        customer_contacts.gender,
        customer_contacts.birth_year,
        customer_contacts.preferred_channel,
        customer_contacts.lifecycle_stage,
        contact_stores.region as contact_region
    from customer_contacts
    left join store_regions_by_city as contact_stores
        on customer_contacts.city = contact_stores.city
    where customer_contacts.contact_rank = 1
),

current_stages as (
    select * from stage_history
    where is_current
),

profiles as (
    -- columns grouped by theme, in the order of the contract
    select  -- noqa: ST06
        record_summary.customer_key,
        record_summary.first_seen_at,
        coalesce(last_signals.last_seen_at, record_summary.first_seen_at) as last_seen_at,
        record_summary.record_count,
        record_summary.contact_count,
        record_summary.cookie_count,
        channel_summary.channels_used,
        coalesce(channel_summary.channel_count, 0) as channel_count,
        coalesce(order_summary.online_order_count, 0) as online_order_count,
        coalesce(order_summary.store_order_count, 0) as store_order_count,
        cast(coalesce(order_summary.online_revenue, 0) as numeric(18, 2)) as online_revenue,
        cast(coalesce(order_summary.store_revenue, 0) as numeric(18, 2)) as store_revenue,
        order_summary.first_order_at,
        order_summary.last_order_at,
        primary_contacts.primary_contact_id,
        consent_summary.consent_email,
        consent_summary.consent_sms,
        consent_summary.consent_analytics,
        consent_summary.consent_ads,
        coalesce(consent_summary.has_consent_conflict, false) as has_consent_conflict,
        primary_contacts.gender,
        primary_contacts.birth_year,
        primary_contacts.preferred_channel,
        coalesce(primary_contacts.contact_region, order_regions.region) as region,
        current_stages.journey_state as current_journey_state,
        current_stages.funnel_stage as current_funnel_stage,
        current_stages.buying_cycle_position as current_buying_cycle_position,
        current_stages.buying_process_phase as current_buying_process_phase,
        current_stages.valid_from as current_stage_since,
        current_stages.days_in_stage as days_in_current_stage
    from record_summary
    left join channel_summary
        on record_summary.customer_key = channel_summary.customer_key
    left join last_signals
        on record_summary.customer_key = last_signals.customer_key
    left join order_summary
        on record_summary.customer_key = order_summary.customer_key
    left join order_regions
        on
            record_summary.customer_key = order_regions.customer_key
            and order_regions.region_rank = 1
    left join consent_summary
        on record_summary.customer_key = consent_summary.customer_key
    left join primary_contacts
        on record_summary.customer_key = primary_contacts.customer_key
    left join current_stages
        on record_summary.customer_key = current_stages.customer_key
),

data_end as (
    select max(last_seen_at) as last_data_at from profiles
),

scored as (
    select
        profiles.*,
        profiles.online_order_count + profiles.store_order_count as order_count,
        profiles.online_revenue + profiles.store_revenue as total_revenue,
        {{ recency_days }} as recency_days,
        extract(year from data_end.last_data_at) - profiles.birth_year as age_years
    from profiles
    cross join data_end
),

rfm as (
    select
        scored.*,
        case when scored.order_count > 0 then ntile(5) over (
            partition by case when scored.order_count > 0 then 1 else 0 end
            order by scored.recency_days desc, scored.customer_key asc
        ) end as rfm_recency_score,
        case when scored.order_count > 0 then ntile(5) over (
            partition by case when scored.order_count > 0 then 1 else 0 end
            order by scored.order_count asc, scored.customer_key asc
        ) end as rfm_frequency_score,
        case when scored.order_count > 0 then ntile(5) over (
            partition by case when scored.order_count > 0 then 1 else 0 end
            order by scored.total_revenue asc, scored.customer_key asc
        ) end as rfm_monetary_score
    from scored
),

final as (
    -- the contract's column order
    select  -- noqa: ST06
        customer_key,
        primary_contact_id,
        first_seen_at,
        last_seen_at,
        cast(record_count as integer) as record_count,
        cast(contact_count as integer) as contact_count,
        cast(cookie_count as integer) as cookie_count,
        channels_used,
        cast(channel_count as integer) as channel_count,
        cast(online_order_count as integer) as online_order_count,
        cast(store_order_count as integer) as store_order_count,
        cast(order_count as integer) as order_count,
        online_revenue,
        store_revenue,
        cast(total_revenue as numeric(18, 2)) as total_revenue,
        first_order_at,
        last_order_at,
        consent_email,
        consent_sms,
        consent_analytics,
        consent_ads,
        has_consent_conflict,
        current_journey_state,
        current_funnel_stage,
        current_buying_cycle_position,
        current_buying_process_phase,
        current_stage_since,
        days_in_current_stage,
        cast(recency_days as integer) as recency_days,
        rfm_recency_score,
        rfm_frequency_score,
        rfm_monetary_score,
        case
            when order_count = 0 then 'prospect'
            when rfm_recency_score >= 4 and rfm_frequency_score >= 4 then 'champion'
            when rfm_frequency_score >= 4 then 'loyal'
            when rfm_recency_score >= 4 then 'recent'
            when rfm_recency_score <= 2 and rfm_frequency_score >= 3 then 'at_risk'
            when rfm_recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        case
            when online_order_count > 0 and store_order_count > 0 then 'omnichannel_buyer'
            when store_order_count > 0 and cookie_count > 0 then 'research_online_buy_in_store'
            when store_order_count > 0 then 'store_shopper'
            when online_order_count > 0 then 'online_shopper'
            when cookie_count > 0 then 'web_browser'
            else 'contact_only'
        end as behaviour_segment,
        region,
        case
            when age_years is null then null
            when age_years < 25 then '18-24'
            when age_years < 35 then '25-34'
            when age_years < 45 then '35-44'
            when age_years < 55 then '45-54'
            when age_years < 65 then '55-64'
            else '65+'
        end as age_band,
        gender,
        preferred_channel
    from rfm
)

select * from final
