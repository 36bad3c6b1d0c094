-- Marketing campaigns of every channel (reference data): one row per campaign_id.

with

source as (
    select * from {{ source('crm', 'campaigns') }}
),

renamed as (
    select
        campaign_id,
        name as campaign_name,
        utm_campaign,
        start_date,
        end_date,
        target_segment,
        _source_file as source_file,
        _dlt_load_id as load_id,
        cast(budget_eur as numeric(18, 2)) as budget_eur,
        lower(channel) as channel,
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by campaign_id order by load_id desc, source_file desc) as version_rank
    from renamed
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        utm_source,
        utm_medium,
        utm_campaign,
        start_date,
        end_date,
        budget_eur,
        target_segment,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
