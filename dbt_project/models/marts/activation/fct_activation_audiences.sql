-- Audiences ready to activate: one row per audience and customer, an audience being an
-- activation channel (seed activation_channels: email, sms, ads) crossed with a segment of
-- one of the segmentations of var activation_segment_types (dim_customers). Only customers
-- whose consent to the channel is granted today (dim_customers.consent_<channel>, the most
-- restrictive of their CRM contacts, so a withdrawal removes them on the next run) and who
-- carry the hashed identifiers the channel matches on (ingestion's keyed hashes, never in
-- clear). The pipeline writes one Parquet and one CSV file per audience (orchestration/defs/activation.py).

{%- set segment_columns = {
    'rfm': 'rfm_segment',
    'behaviour': 'behaviour_segment',
    'funnel_stage': 'current_funnel_stage',
    'buying_cycle': 'current_buying_cycle_position',
    'region': 'region',
    'age_band': 'age_band',
    'gender': 'gender',
} %}
{%- set consent_channels = ['email', 'sms', 'analytics', 'ads'] %}
{%- for segment_type in var('activation_segment_types') if segment_type not in segment_columns %}
    {{ exceptions.raise_compiler_error(
        "activation_segment_types: unknown segmentation '" ~ segment_type ~ "' (known: "
        ~ segment_columns.keys() | join(', ') ~ ")"
    ) }}
{%- endfor %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

channels as (
    select * from {{ ref('activation_channels') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where not is_archived
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
    where source = 'crm' and record_type = 'contact' and customer_key is not null
),

customer_hashes as (
    -- the smallest hash among the customer's contacts: one stable value per customer
    select
        record_customers.customer_key,
        min(contacts.email_hash) as email_hash,
        min(contacts.phone_hash) as phone_hash
    from record_customers
    inner join contacts
        on record_customers.record_id = contacts.contact_id
    group by record_customers.customer_key
),

customer_segments as (
    {%- for segment_type in var('activation_segment_types') %}
    select
        customer_key,
        '{{ segment_type }}' as segment_type,
        {{ segment_columns[segment_type] }} as segment
    from customers
    where {{ segment_columns[segment_type] }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

customer_consents as (
    {%- for channel in consent_channels %}
    select
        customer_key,
        '{{ channel }}' as consent_channel
    from customers
    where consent_{{ channel }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

eligible as (
    select
        channels.activation_channel,
        customer_consents.customer_key,
        case
            when channels.needs_email_hash or not channels.needs_phone_hash then customer_hashes.email_hash
        end as email_hash,
        case
            when channels.needs_phone_hash or not channels.needs_email_hash then customer_hashes.phone_hash
        end as phone_hash
    from channels
    inner join customer_consents
        on channels.consent_channel = customer_consents.consent_channel
    inner join customer_hashes
        on customer_consents.customer_key = customer_hashes.customer_key
    where
        (not channels.needs_email_hash or customer_hashes.email_hash is not null)
        and (not channels.needs_phone_hash or customer_hashes.phone_hash is not null)
        and (customer_hashes.email_hash is not null or customer_hashes.phone_hash is not null)
),

final as (
    select
        {{ dbt.concat(['eligible.activation_channel', "'__'", 'customer_segments.segment']) }}
            as audience_name,
        eligible.activation_channel,
        customer_segments.segment_type,
        customer_segments.segment,
        eligible.customer_key,
        eligible.email_hash,
        eligible.phone_hash
    from eligible
    inner join customer_segments
        on eligible.customer_key = customer_segments.customer_key
)

select * from final
