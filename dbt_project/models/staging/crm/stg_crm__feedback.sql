-- HubSpot survey submissions: one row per feedback_id (latest updated_at wins). Survey type
-- and channel lower-cased (nps / csat); the score is the answered value.

with

source as (
    select * from {{ parcours.source_or_empty('crm', 'feedback', {
        'feedback_id': 'string',
        'contact_id': 'string',
        'survey_type': 'string',
        'response_value': 'bigint',
        'journey_moment': 'string',
        'content': 'string',
        'submitted_at': 'timestamptz',
        'store_id': 'string',
        'order_id': 'string',
        'survey_channel': 'string',
        'created_at': 'timestamptz',
        'updated_at': 'timestamptz',
        '_source_file': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        feedback_id,
        contact_id,
        lower(survey_type) as survey_type,
        cast(response_value as integer) as score,
        lower(journey_moment) as journey_moment,
        content as verbatim,
        coalesce(
            {{ parcours.to_utc_timestamp('submitted_at') }},
            {{ parcours.to_utc_timestamp('created_at') }}
        ) as submitted_at,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(order_id), '') as order_id,
        lower(survey_channel) as survey_channel,
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
            partition by feedback_id
            order by updated_at desc, load_id desc, source_file desc
        ) as version_rank
    from renamed
),

final as (
    select
        feedback_id,
        contact_id,
        survey_type,
        score,
        journey_moment,
        verbatim,
        submitted_at,
        store_id,
        order_id,
        survey_channel,
        created_at,
        updated_at,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
