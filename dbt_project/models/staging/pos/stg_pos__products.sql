-- Square catalog items = products: one row per product_id, list price in EUR.

with

source as (
    select * from {{ source('pos', 'catalog') }}
),

renamed as (
    select
        item_id as product_id,
        name as product_name,
        category,
        brand,
        _source_file as source_file,
        _dlt_load_id as load_id,
        cast(price_amount / 100.0 as numeric(18, 2)) as list_price,
        upper(price_currency) as currency,
        lower(type) as catalog_object_type
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by product_id order by load_id desc, source_file desc) as version_rank
    from renamed
),

final as (
    select
        product_id,
        product_name,
        category,
        brand,
        list_price,
        currency,
        catalog_object_type,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
