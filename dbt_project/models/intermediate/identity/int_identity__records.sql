-- Every identity record of every source, one row each: a CRM contact, a GA4 cookie, a Square
-- order, a social mention, a marketing e-mail event, a survey answer, a service case. Says
-- when the record was first seen and whether it may be stitched at all: bot cookies and
-- training-till transactions never are; a record whose owner refused the consent of var
-- identity_required_consent is kept in the graph (its whole component is then left unstitched).
-- record_node_id is the record's node in the identity graph (int_identity__edges): an even
-- integer hashed from (source, record_type, record_id) (macro record_node_id), the same on
-- every run, with no sort of every record to number them; identifiers take the odd ones.

{%- set consent_column = 'consent_' ~ var('identity_required_consent') %}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

cookie_user_ids as (
    select * from {{ ref('int_identity__ga4_cookie_user_ids') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

store_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
),

feedback as (
    select * from {{ ref('stg_crm__feedback') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

bot_cookies as (
    select user_pseudo_id
    from sessions
    group by user_pseudo_id
    having {{ dbt.bool_or('is_bot') }}
),

cookies as (
    select
        user_pseudo_id,
        min(first_event_at) as first_seen_at,
        {{ dbt.bool_or('has_consent') }} as has_consent
    from cookie_user_ids
    where user_pseudo_id is not null
    group by user_pseudo_id
),

contact_records as (
    select
        'crm' as source,  -- noqa: RF04
        'contact' as record_type,
        contact_id as record_id,
        created_at as first_seen_at,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        coalesce({{ consent_column }}, true) = false as has_refused_consent,
        coalesce({{ consent_column }}, false) as has_granted_consent
    from contacts
),

cookie_records as (
    select
        'ga4' as source,  -- noqa: RF04
        'ga4_cookie' as record_type,
        cookies.user_pseudo_id as record_id,
        cookies.first_seen_at,
        case when bot_cookies.user_pseudo_id is not null then 'bot' end as exclusion_reason,
        not cookies.has_consent as has_refused_consent,
        false as has_granted_consent
    from cookies
    left join bot_cookies
        on cookies.user_pseudo_id = bot_cookies.user_pseudo_id
),

order_records as (
    select
        'pos' as source,  -- noqa: RF04
        'pos_order' as record_type,
        order_id as record_id,
        ordered_at as first_seen_at,
        case when is_training then 'training' end as exclusion_reason,
        false as has_refused_consent,
        false as has_granted_consent
    from store_orders
),

mention_records as (
    select
        'social' as source,  -- noqa: RF04
        'mention' as record_type,
        mention_id as record_id,
        published_at as first_seen_at,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        false as has_refused_consent,
        false as has_granted_consent
    from mentions
),

email_event_records as (
    select
        'crm' as source,  -- noqa: RF04
        'email_event' as record_type,
        email_event_id as record_id,
        occurred_at as first_seen_at,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        false as has_refused_consent,
        false as has_granted_consent
    from email_events
),

feedback_records as (
    select
        'crm' as source,  -- noqa: RF04
        'feedback' as record_type,
        feedback_id as record_id,
        submitted_at as first_seen_at,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        false as has_refused_consent,
        false as has_granted_consent
    from feedback
),

ticket_records as (
    select
        'crm' as source,  -- noqa: RF04
        'ticket' as record_type,
        ticket_id as record_id,
        created_at as first_seen_at,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        false as has_refused_consent,
        false as has_granted_consent
    from tickets
),

unioned as (
    select * from contact_records
    union all
    select * from cookie_records
    union all
    select * from order_records
    union all
    select * from mention_records
    union all
    select * from email_event_records
    union all
    select * from feedback_records
    union all
    select * from ticket_records
),

final as (
    select
        source,
        record_type,
        record_id,
        first_seen_at,
        exclusion_reason,
        has_refused_consent,
        has_granted_consent,
        {{ parcours.record_node_id() }} as record_node_id
    from unioned
    where record_id is not null
)

select * from final
