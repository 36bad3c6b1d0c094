-- One row per identity record and identifier value it carries (the grain, tested: record_type,
-- record_id, identifier_namespace, identifier_value; int_identity__identifiers counts records
-- with count(*) on it), values exactly as used for matching
-- (staging normalises them: HMAC hashes of e-mails and phones, trimmed loyalty numbers,
-- lower-cased handles without '@'). Each identifier_type belongs to a namespace of the seed
-- identity_identifier_types (a CRM contact id and a GA4 user_id compare with each other).
-- Every value is kept here, shared or blocked ones included: int_identity__identifiers
-- decides which values link. `parcours evaluate` reads this model.

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

cookie_user_ids as (
    select * from {{ ref('int_identity__ga4_cookie_user_ids') }}
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

identifier_types as (
    select * from {{ ref('identity_identifier_types') }}
),

contact_identifiers as (
    {%- for column, identifier_type in [
        ('contact_id', 'crm_contact_id'),
        ('email_hash', 'email_hash'),
        ('phone_hash', 'phone_hash'),
        ('loyalty_card_number', 'loyalty_card_number'),
        ('social_handle', 'social_handle'),
    ] %}
    select
        'crm' as source,  -- noqa: RF04
        'contact' as record_type,
        contact_id as record_id,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        created_at as observed_at
    from contacts
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

cookie_identifiers as (
    select
        'ga4' as source,  -- noqa: RF04
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        'ga4_user_pseudo_id' as identifier_type,
        user_pseudo_id as identifier_value,
        min(first_event_at) as observed_at
    from cookie_user_ids
    group by user_pseudo_id
    union all
    select
        'ga4' as source,  -- noqa: RF04
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        'ga4_user_id' as identifier_type,
        user_id as identifier_value,
        first_event_at as observed_at
    from cookie_user_ids
    where user_id is not null
),

order_identifiers as (
    select
        'pos' as source,  -- noqa: RF04
        'pos_order' as record_type,
        order_id as record_id,
        'loyalty_card_number' as identifier_type,
        loyalty_card_number as identifier_value,
        ordered_at as observed_at
    from store_orders
    union all
    select
        'pos' as source,  -- noqa: RF04
        'pos_order' as record_type,
        order_id as record_id,
        'receipt_email_hash' as identifier_type,
        receipt_email_hash as identifier_value,
        ordered_at as observed_at
    from store_orders
),

mention_identifiers as (
    select
        'social' as source,  -- noqa: RF04
        'mention' as record_type,
        mention_id as record_id,
        'social_handle' as identifier_type,
        author_handle as identifier_value,
        published_at as observed_at
    from mentions
),

email_event_identifiers as (
    select
        'crm' as source,  -- noqa: RF04
        'email_event' as record_type,
        email_event_id as record_id,
        'email_hash' as identifier_type,
        recipient_email_hash as identifier_value,
        occurred_at as observed_at
    from email_events
),

feedback_identifiers as (
    select
        'crm' as source,  -- noqa: RF04
        'feedback' as record_type,
        feedback_id as record_id,
        'crm_contact_id' as identifier_type,
        contact_id as identifier_value,
        submitted_at as observed_at
    from feedback
),

ticket_identifiers as (
    select
        'crm' as source,  -- noqa: RF04
        'ticket' as record_type,
        ticket_id as record_id,
        'crm_contact_id' as identifier_type,
        contact_id as identifier_value,
        created_at as observed_at
    from tickets
),

unioned as (
    select * from contact_identifiers
    union all
    select * from cookie_identifiers
    union all
    select * from order_identifiers
    union all
    select * from mention_identifiers
    union all
    select * from email_event_identifiers
    union all
    select * from feedback_identifiers
    union all
    select * from ticket_identifiers
),

final as (
    select
        unioned.source,
        unioned.record_type,
        unioned.record_id,
        unioned.identifier_type,
        unioned.identifier_value,
        identifier_types.identifier_namespace,
        unioned.observed_at,
        cast(unioned.observed_at as date) as observed_date
    from unioned
    left join identifier_types
        on unioned.identifier_type = identifier_types.identifier_type
    where
        unioned.record_id is not null
        and unioned.identifier_value is not null
)

select * from final
