-- Store orders: Square sales with their store, line totals and returns. One row per sale
-- order_id. Returns (orders listing a source order) are summed onto the sale they return;
-- training-till transactions are kept here, flagged, and left out of fct_orders.

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

order_lines as (
    select * from {{ ref('stg_pos__order_lines') }}
),

stores as (
    select * from {{ ref('stg_pos__stores') }}
),

line_totals as (
    select
        order_id,
        sum(case when not is_return_line then quantity else 0 end) as item_quantity,
        sum(case when not is_return_line then gross_amount else 0 end) as gross_amount
    from order_lines
    group by order_id
),

returns as (
    select
        source_order_id,
        count(*) as return_count,
        sum(-total_amount) as returned_amount,
        min(ordered_at) as first_returned_at
    from orders
    where is_return and not is_training and source_order_id is not null
    group by source_order_id
),

final as (
    select
        orders.order_id,
        orders.store_id,
        stores.store_name,
        stores.region,
        stores.business_unit,
        orders.ordered_at,
        orders.ordered_at_local,
        orders.is_training,
        orders.loyalty_card_number,
        orders.receipt_email_hash,
        orders.payment_type,
        cast(coalesce(line_totals.item_quantity, 0) as integer) as item_quantity,
        cast(
            coalesce(line_totals.gross_amount, orders.total_amount + orders.discount_amount) as numeric(18, 2)
        ) as gross_amount,
        orders.discount_amount,
        orders.total_amount as revenue,
        cast(coalesce(returns.return_count, 0) as integer) as return_count,
        cast(coalesce(returns.returned_amount, 0) as numeric(18, 2)) as returned_amount,
        returns.first_returned_at
    from orders
    left join stores
        on orders.store_id = stores.store_id
    left join line_totals
        on orders.order_id = line_totals.order_id
    left join returns
        on orders.order_id = returns.source_order_id
    where not orders.is_return
)

select * from final
