-- Square order lines: sold lines of sales and returned lines of returns in one model, one
-- row per (order_id, line_uid). Returned lines are negative (quantity and amounts), so
-- summing an order's lines gives its net value.

with

line_items as (
    select * from {{ parcours.source_or_empty('pos', 'order_line_items', {
        'order_id': 'string',
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
        _dlt_load_id as load_id
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
        _dlt_load_id as load_id
    from return_line_items
),

unioned as (
    select * from sold_lines
    union all
    select * from returned_lines
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, line_uid order by load_id desc, line_index asc
        ) as version_rank
    from unioned
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
