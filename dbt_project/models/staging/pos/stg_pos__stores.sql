-- Square locations = stores (business units): one row per store_id.

with

source as (
    select * from {{ source('pos', 'locations') }}
),

renamed as (
    select
        location_id as store_id,
        name as store_name,
        region,
        city,
        timezone,
        business_unit,
        opened_at,
        _source_file as source_file,
        _dlt_load_id as load_id,
        upper(country) as country,
        lower(status) as status
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by store_id order by load_id desc, source_file desc) as version_rank
    from renamed
),

final as (
    select
        store_id,
        store_name,
        region,
        city,
        country,
        timezone,
        business_unit,
        status,
        opened_at,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
