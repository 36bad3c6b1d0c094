{{ config(materialized='table') }}

-- HubSpot contacts: one row per contact_id, the latest version (updated_at) wins.
-- Consents become booleans (null when unknown); loyalty numbers and social handles are
-- trimmed, handles lower-cased without their leading '@', as identity matching uses them.
-- The sales summary (num_associated_deals, recent_deal_close_date, notes_last_updated) is what
-- the CRM knew when the contact was last updated; it is the only trace of purchases and
-- activity from before the first day of data.
--
-- A table, not a view: twelve models read it, and as a view each read ranked every
-- version again (dbt_project/README.md, "What a run reads").

with

source as (
    select * from {{ source('crm', 'contacts') }}
),

renamed as (
    select
        contact_id,
        email_hash,
        phone_hash,
        nullif(trim(loyalty_card_number), '') as loyalty_card_number,
        nullif(ltrim(lower(trim(social_handle)), '@'), '') as social_handle,
        lower(nullif(trim(gender), '')) as gender,
        birth_year,
        case
            when birth_year is not null
                then cast(
                    {{ dbt.concat(["cast(birth_year as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date
                )
        end as birth_date,
        upper(nullif(trim(country), '')) as country,
        nullif(trim(city), '') as city,
        nullif(trim(zip), '') as zip,
        lower(nullif(trim(preferred_channel), '')) as preferred_channel,
        lower(nullif(trim(lifecyclestage), '')) as lifecycle_stage,
        hs_persona as persona,
        num_associated_deals as crm_purchase_count,
        {{ parcours.to_utc_timestamp('recent_deal_close_date') }} as crm_last_purchase_at,
        {{ parcours.to_utc_timestamp('notes_last_updated') }} as crm_last_activity_at,
        {%- for channel in ['email', 'sms', 'analytics', 'ads'] %}
        case lower(consent_{{ channel }})
            when 'granted' then true
            when 'denied' then false
        end as consent_{{ channel }},
        {{ parcours.to_utc_timestamp('consent_' ~ channel ~ '_updated_at') }}
            as consent_{{ channel }}_updated_at,
        {%- endfor %}
        coalesce(archived, false) as is_archived,
        {{ parcours.to_utc_timestamp('created_at') }} as created_at,
        {{ parcours.to_utc_timestamp('updated_at') }} as updated_at,
        _source_file as source_file,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by updated_at desc, load_id desc, source_file desc
        ) as version_rank
    from renamed
),

final as (
    select
        contact_id,
        email_hash,
        phone_hash,
        loyalty_card_number,
        social_handle,
        gender,
        birth_year,
        birth_date,
        country,
        city,
        zip,
        preferred_channel,
        lifecycle_stage,
        persona,
        crm_purchase_count,
        crm_last_purchase_at,
        crm_last_activity_at,
        consent_email,
        consent_sms,
        consent_analytics,
        consent_ads,
        consent_email_updated_at,
        consent_sms_updated_at,
        consent_analytics_updated_at,
        consent_ads_updated_at,
        is_archived,
        created_at,
        updated_at,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
