-- GA4 ecommerce items: one row per (event_id, item_index).

with

source as (
    select * from {{ parcours.source_or_empty('ga4', 'event_items', {
        'event_id': 'string',
        'event_date': 'date',
        'item_index': 'bigint',
        'item_id': 'string',
        'item_name': 'string',
        'item_brand': 'string',
        'item_category': 'string',
        'price': 'double',
        'quantity': 'bigint',
        'item_revenue': 'double',
        'coupon': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        event_id,
        event_date,
        cast(item_index as integer) as item_index,
        item_id,
        item_name,
        item_brand,
        item_category,
        cast(price as numeric(18, 2)) as price,
        cast(quantity as integer) as quantity,
        cast(item_revenue as numeric(18, 2)) as item_revenue,
        coupon,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_date, event_id, item_index
            order by load_id desc
        ) as version_rank
    from renamed
),

final as (
    select
        event_id,
        event_date,
        item_index,
        item_id,
        item_name,
        item_brand,
        item_category,
        price,
        quantity,
        item_revenue,
        coupon,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
