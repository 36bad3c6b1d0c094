-- Square order lines: sold lines of sales and returned lines of returns in one model, one
-- row per (order_id, line_uid). Returned lines are negative (quantity and amounts), so
-- summing an order's lines gives its net value. Only the lines of the order version that
-- stg_pos__orders keeps: one load can hold two versions of an order, each line carrying its
-- order's updated_at (null on lines loaded before they carried it).

with

order_versions as (
    select
        order_id,
        max(updated_at) as updated_at
    from {{ source('pos', 'orders') }}
    group by order_id
),

line_items as (
    select * from {{ parcours.source_or_empty('pos', 'order_line_items', {
        'order_id': 'string',
        'updated_at': 'timestamptz',
        'line_uid': 'string',
        'line_index': 'bigint',
        'catalog_object_id': 'string',
        'name': 'string',
        'quantity': 'double',
        'base_price_money_amount': 'bigint',
        'gross_sales_money_amount': 'bigint',
        'total_discount_money_amount': 'bigint',
        'total_money_amount': 'bigint',
        '_dlt_load_id': 'string'
    }) }}
),

return_line_items as (
    select * from {{ parcours.source_or_empty('pos', 'order_return_line_items', {
        'order_id': 'string',
        'updated_at': 'timestamptz',
        'return_index': 'bigint',
        'line_index': 'bigint',
        'catalog_object_id': 'string',
        'name': 'string',
        'quantity': 'double',
        'total_money_amount': 'bigint',
        '_dlt_load_id': 'string'
    }) }}
),

sold_lines as (
    select
        order_id,
        coalesce(
            nullif(trim(line_uid), ''),
            {{ dbt.concat(["'L'", dbt.cast('line_index', dbt.type_string())]) }}
        ) as line_uid,
        cast(line_index as integer) as line_index,
        catalog_object_id as product_id,
        name as product_name,
        quantity,
        cast(base_price_money_amount / 100.0 as numeric(18, 2)) as unit_price,
        cast(coalesce(gross_sales_money_amount, base_price_money_amount * quantity) / 100.0 as numeric(18, 2))
            as gross_amount,
        cast(coalesce(total_discount_money_amount, 0) / 100.0 as numeric(18, 2)) as discount_amount,
        cast(total_money_amount / 100.0 as numeric(18, 2)) as net_amount,
        false as is_return_line,
        _dlt_load_id as load_id,
        updated_at as order_updated_at
    from line_items
),

returned_lines as (
    -- amounts arrive negative; quantities positive: make both negative
    select
        order_id,
        {{ dbt.concat([
            "'R'", dbt.cast('return_index', dbt.type_string()),
            "'-'", dbt.cast('line_index', dbt.type_string())
        ]) }} as line_uid,
        cast(line_index as integer) as line_index,
        catalog_object_id as product_id,
        name as product_name,
        -abs(quantity) as quantity,
        cast(abs(total_money_amount) / nullif(abs(quantity), 0) / 100.0 as numeric(18, 2)) as unit_price,
        cast(-abs(total_money_amount) / 100.0 as numeric(18, 2)) as gross_amount,
        cast(0 as numeric(18, 2)) as discount_amount,
        cast(-abs(total_money_amount) / 100.0 as numeric(18, 2)) as net_amount,
        true as is_return_line,
        _dlt_load_id as load_id,
        updated_at as order_updated_at
    from return_line_items
),

unioned as (
    select * from sold_lines
    union all
    select * from returned_lines
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by unioned.order_id, unioned.line_uid
            order by unioned.load_id desc, unioned.line_index asc
        ) as version_rank
    from unioned
    left join order_versions
        on unioned.order_id = order_versions.order_id
    where
        unioned.order_updated_at is null
        or unioned.order_updated_at = order_versions.updated_at
),

final as (
    select
        order_id,
        line_uid,
        line_index,
        product_id,
        product_name,
        quantity,
        unit_price,
        gross_amount,
        discount_amount,
        net_amount,
        is_return_line,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
