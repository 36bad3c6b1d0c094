{{ config(materialized='view') }}

-- Every customer interaction of every source in one shape, before identity resolution:
-- web sessions and their key events (var ga4_key_events), e-mails delivered / opened /
-- clicked, social mentions and engagements (replies), store purchases and returns, survey
-- answers and service cases. Each row names the identity record it belongs to
-- (record_source, record_type, record_id as in int_identity__record_customers) and its
-- source_date, the day the incremental fct_touchpoints windows on. Bot sessions and
-- training-till transactions are left out. A view: fct_touchpoints reads only its window.

{%- set promoter = var('nps_promoter_min_score') %}
{%- set detractor = var('nps_detractor_max_score') %}
{%- set satisfied = var('csat_satisfied_min_score') %}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

sessionized_events as (
    select * from {{ ref('int_web__sessionized_events') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
),

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

store_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

feedback as (
    select * from {{ ref('stg_crm__feedback') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

web_sessions as (
    select
        'ga4' as record_source,
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        'web_session' as touchpoint_type,
        session_key as touchpoint_source_id,
        last_event_date as source_date,
        session_start_at as touchpoint_at,
        'web' as channel,
        channel_group as sub_channel,
        true as is_online,
        device_category,
        session_campaign as campaign,
        cast(null as {{ dbt.type_string() }}) as store_id,
        geo_region as region,
        cast(null as {{ dbt.type_string() }}) as sentiment,
        session_key,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as numeric(18, 2)) as revenue,
        has_analytics_consent,
        last_load_id as load_id
    from sessions
    where not is_bot
),

web_key_events as (
    select
        'ga4' as record_source,
        'ga4_cookie' as record_type,
        sessionized_events.user_pseudo_id as record_id,
        {{ dbt.concat(["'web_'", 'sessionized_events.event_name']) }} as touchpoint_type,
        sessionized_events.event_id as touchpoint_source_id,
        sessionized_events.event_date as source_date,
        sessionized_events.event_at as touchpoint_at,
        'web' as channel,
        sessions.channel_group as sub_channel,
        true as is_online,
        sessionized_events.device_category,
        sessions.session_campaign as campaign,
        sessionized_events.store_id,
        sessionized_events.geo_region as region,
        cast(null as {{ dbt.type_string() }}) as sentiment,
        sessionized_events.session_key,
        sessionized_events.transaction_id as order_id,
        cast(
            case when sessionized_events.event_name = 'purchase' then sessionized_events.purchase_revenue end
            as numeric(18, 2)
        ) as revenue,
        sessions.has_analytics_consent,
        sessions.last_load_id as load_id
    from sessionized_events
    inner join sessions
        on sessionized_events.session_key = sessions.session_key
    where
        sessionized_events.event_name in ({{ parcours.sql_string_list(var('ga4_key_events')) }})
        and not sessions.is_bot
),

emails as (
    select
        'crm' as record_source,
        'email_event' as record_type,
        email_events.email_event_id as record_id,
        {{ dbt.concat(["'email_'", 'email_events.event_type']) }} as touchpoint_type,
        email_events.email_event_id as touchpoint_source_id,
        cast(email_events.occurred_at as date) as source_date,
        email_events.occurred_at as touchpoint_at,
        'email' as channel,
        coalesce(campaigns.channel, 'email') as sub_channel,
        true as is_online,
        email_events.device_type as device_category,
        coalesce(campaigns.utm_campaign, campaigns.campaign_name) as campaign,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as sentiment,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as numeric(18, 2)) as revenue,
        cast(null as boolean) as has_analytics_consent,
        email_events.load_id
    from email_events
    left join campaigns
        on email_events.campaign_id = campaigns.campaign_id
    where email_events.event_type in ('delivered', 'open', 'click')
),

social as (
    select
        'social' as record_source,
        'mention' as record_type,
        mention_id as record_id,
        case when reply_to_mention_id is not null then 'social_engagement' else 'social_mention' end
            as touchpoint_type,
        mention_id as touchpoint_source_id,
        cast(published_at as date) as source_date,
        published_at as touchpoint_at,
        'social' as channel,
        platform as sub_channel,
        true as is_online,
        cast(null as {{ dbt.type_string() }}) as device_category,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ dbt.type_string() }}) as store_id,
        author_region as region,
        vendor_sentiment as sentiment,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as numeric(18, 2)) as revenue,
        cast(null as boolean) as has_analytics_consent,
        load_id
    from mentions
    where not is_competitor
),

store_visits as (
    select
        'pos' as record_source,
        'pos_order' as record_type,
        store_orders.order_id as record_id,
        case when store_orders.is_return then 'store_return' else 'store_purchase' end as touchpoint_type,
        store_orders.order_id as touchpoint_source_id,
        cast(store_orders.ordered_at as date) as source_date,
        store_orders.ordered_at as touchpoint_at,
        'store' as channel,
        coalesce(stores.business_unit, store_orders.store_id) as sub_channel,
        false as is_online,
        cast(null as {{ dbt.type_string() }}) as device_category,
        cast(null as {{ dbt.type_string() }}) as campaign,
        store_orders.store_id,
        stores.region,
        cast(null as {{ dbt.type_string() }}) as sentiment,
        cast(null as {{ dbt.type_string() }}) as session_key,
        store_orders.order_id,
        store_orders.total_amount as revenue,
        cast(null as boolean) as has_analytics_consent,
        store_orders.load_id
    from store_orders
    left join stores
        on store_orders.store_id = stores.store_id
    where not store_orders.is_training
),

surveys as (
    select
        'crm' as record_source,
        'feedback' as record_type,
        feedback.feedback_id as record_id,
        {{ dbt.concat(["'survey_'", "coalesce(feedback.survey_type, 'unknown')"]) }} as touchpoint_type,
        feedback.feedback_id as touchpoint_source_id,
        cast(feedback.submitted_at as date) as source_date,
        feedback.submitted_at as touchpoint_at,
        'survey' as channel,
        coalesce(feedback.journey_moment, 'unknown') as sub_channel,
        coalesce(feedback.survey_channel, '') != 'in_store' as is_online,
        cast(null as {{ dbt.type_string() }}) as device_category,
        cast(null as {{ dbt.type_string() }}) as campaign,
        feedback.store_id,
        stores.region,
        case
            when feedback.survey_type = 'nps' and feedback.score >= {{ promoter }} then 'positive'
            when feedback.survey_type = 'nps' and feedback.score <= {{ detractor }} then 'negative'
            when feedback.survey_type = 'nps' then 'neutral'
            when feedback.survey_type = 'csat' and feedback.score >= {{ satisfied }} then 'positive'
            when feedback.survey_type = 'csat' and feedback.score <= 2 then 'negative'
            when feedback.survey_type = 'csat' then 'neutral'
        end as sentiment,
        cast(null as {{ dbt.type_string() }}) as session_key,
        feedback.order_id,
        cast(null as numeric(18, 2)) as revenue,
        cast(null as boolean) as has_analytics_consent,
        feedback.load_id
    from feedback
    left join stores
        on feedback.store_id = stores.store_id
),

service_cases as (
    select
        'crm' as record_source,
        'ticket' as record_type,
        ticket_id as record_id,
        'service_case' as touchpoint_type,
        ticket_id as touchpoint_source_id,
        cast(created_at as date) as source_date,
        created_at as touchpoint_at,
        'customer_service' as channel,
        coalesce(source_type, 'unknown') as sub_channel,
        coalesce(source_type, '') not in ('phone', 'in_store', 'store') as is_online,
        cast(null as {{ dbt.type_string() }}) as device_category,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as sentiment,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as numeric(18, 2)) as revenue,
        cast(null as boolean) as has_analytics_consent,
        load_id
    from tickets
),

unioned as (
    select * from web_sessions
    union all
    select * from web_key_events
    union all
    select * from emails
    union all
    select * from social
    union all
    select * from store_visits
    union all
    select * from surveys
    union all
    select * from service_cases
),

final as (
    select
        {{ parcours.surrogate_key(['touchpoint_type', 'touchpoint_source_id']) }} as touchpoint_id,
        *
    from unioned
)

select * from final
