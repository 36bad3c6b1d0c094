-- HubSpot service tickets: one row per ticket_id (latest updated_at wins).

with

source as (
    select * from {{ parcours.source_or_empty('crm', 'tickets', {
        'ticket_id': 'string',
        'contact_id': 'string',
        'category': 'string',
        'priority': 'string',
        'source_type': 'string',
        'pipeline_stage': 'string',
        'subject': 'string',
        'created_at': 'timestamptz',
        'closed_at': 'timestamptz',
        'updated_at': 'timestamptz',
        '_source_file': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        ticket_id,
        contact_id,
        lower(category) as category,
        lower(priority) as priority,
        lower(source_type) as source_type,
        lower(pipeline_stage) as status,
        subject,
        {{ parcours.to_utc_timestamp('created_at') }} as created_at,
        {{ parcours.to_utc_timestamp('closed_at') }} as closed_at,
        {{ parcours.to_utc_timestamp('updated_at') }} as updated_at,
        _source_file as source_file,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by ticket_id
            order by updated_at desc, load_id desc, source_file desc
        ) as version_rank
    from renamed
),

final as (
    select
        ticket_id,
        contact_id,
        category,
        priority,
        source_type,
        status,
        subject,
        created_at,
        closed_at,
        updated_at,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
