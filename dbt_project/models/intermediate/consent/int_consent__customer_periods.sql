-- Consent per person and channel (email, sms, analytics, ads) as a period: when the person
-- became known, when the consent was granted and when it was withdrawn. A person is a
-- stitched customer (customer_key) or, when the identity graph left the CRM contact out
-- (e.g. a refusal of the analytics consent), the contact on its own. The CRM keeps only the
-- latest consent of a contact and when it last changed (consent_<channel>_updated_at), so:
--   * granted now: granted on its updated_at (a grant made earlier, withdrawn, then made again
--     is seen as one grant);
--   * refused now and changed after the contact was created: a withdrawal on its updated_at,
--     the grant before it dated from the contact's creation (the earliest it can be);
--   * refused now since creation (or unknown): never granted.
-- With several contacts the most restrictive wins, as in dim_customers: the person is
-- consented once every contact has granted, until the first withdrawal. Archived and
-- training / bot records are left out. Dates are days of var reporting_timezone.

{%- set channels = ['email', 'sms', 'analytics', 'ads'] %}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where not is_archived
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
    where source = 'crm' and record_type = 'contact'
),

contact_people as (
    select
        contacts.*,
        coalesce(
            record_customers.customer_key,
            {{ dbt.concat(["'contact:'", 'contacts.contact_id']) }}
        ) as person_key,
        record_customers.customer_key
    from contacts
    left join record_customers
        on contacts.contact_id = record_customers.record_id
    where
        record_customers.unstitched_reason is null
        or record_customers.unstitched_reason not in ('bot', 'training')
),

contact_channels as (
    {%- for channel in channels %}
    select
        person_key,
        customer_key,
        contact_id,
        '{{ channel }}' as consent_channel,
        created_at,
        consent_{{ channel }} as is_consented,
        -- the CRM stores consent times to the second: one a few milliseconds before the
        -- contact's creation was set at creation
        case
            when consent_{{ channel }}_updated_at > created_at then consent_{{ channel }}_updated_at
            else created_at
        end as consent_updated_at
    from contact_people
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

contact_periods as (
    select
        person_key,
        customer_key,
        consent_channel,
        {{ parcours.reporting_date('created_at') }} as known_on,
        case
            when is_consented then {{ parcours.reporting_date('consent_updated_at') }}
            when not is_consented and consent_updated_at > created_at
                then {{ parcours.reporting_date('created_at') }}
        end as granted_on,
        case
            when not is_consented and consent_updated_at > created_at
                then {{ parcours.reporting_date('consent_updated_at') }}
        end as withdrawn_on
    from contact_channels
),

final as (
    select
        person_key,
        consent_channel,
        min(customer_key) as customer_key,
        count(*) as contacts,
        min(known_on) as known_on,
        -- every contact must have granted: one that never did keeps the person out
        case when count(granted_on) = count(*) then max(granted_on) end as granted_on,
        min(withdrawn_on) as withdrawn_on
    from contact_periods
    group by person_key, consent_channel
)

select * from final
