{{ config(materialized='table') }}

-- Square orders (sales and returns): one row per order_id, latest updated_at wins. Money
-- from cents to EUR; the sale time in UTC and in the store's local time; a return names
-- its source order; the payment type is the tenders' type ('split' when several). Tenders
-- and return blocks count only for the kept version: one load can hold two versions of an
-- order, each nested row carrying its order's updated_at (null on rows loaded before that).
--
-- A table, not a view: five models read it, and as a view each read ranked every
-- version again (dbt_project/README.md, "What a run reads").

with

orders as (
    select * from {{ source('pos', 'orders') }}
),

tenders as (
    select * from {{ parcours.source_or_empty('pos', 'order_tenders', {
        'order_id': 'string',
        'updated_at': 'timestamptz',
        'tender_type': 'string'
    }) }}
),

order_returns as (
    select * from {{ parcours.source_or_empty('pos', 'order_returns', {
        'order_id': 'string',
        'updated_at': 'timestamptz',
        'return_index': 'bigint',
        'source_order_id': 'string'
    }) }}
),

locations as (
    select * from {{ source('pos', 'locations') }}
),

store_timezones as (
    select
        location_id,
        max(timezone) as timezone
    from locations
    group by location_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at desc nulls last, _dlt_load_id desc, _source_file desc
        ) as version_rank
    from orders
),

payment_types as (
    select
        tenders.order_id,
        case
            when count(distinct lower(tenders.tender_type)) > 1 then 'split'
            else min(lower(tenders.tender_type))
        end as payment_type
    from tenders
    inner join ranked
        on tenders.order_id = ranked.order_id
    where
        ranked.version_rank = 1
        and (tenders.updated_at is null or tenders.updated_at = ranked.updated_at)
    group by tenders.order_id
),

source_orders as (
    -- a return lists the order it returns; the first block names it
    select
        order_returns.order_id,
        order_returns.source_order_id,
        row_number() over (
            partition by order_returns.order_id
            order by order_returns.return_index, order_returns.source_order_id
        ) as return_rank
    from order_returns
    inner join ranked
        on order_returns.order_id = ranked.order_id
    where
        ranked.version_rank = 1
        and order_returns.source_order_id is not null
        and (order_returns.updated_at is null or order_returns.updated_at = ranked.updated_at)
),

final as (
    select
        ranked.order_id,
        ranked.location_id as store_id,
        {{ parcours.to_utc_timestamp('ranked.created_at') }} as ordered_at,
        {{ parcours.utc_to_local_timestamp(
            parcours.to_utc_timestamp('ranked.created_at'),
            "coalesce(store_timezones.timezone, '" ~ var('reporting_timezone') ~ "')"
        ) }} as ordered_at_local,
        {{ parcours.to_utc_timestamp('ranked.closed_at') }} as closed_at,
        {{ parcours.to_utc_timestamp('ranked.updated_at') }} as updated_at,
        lower(ranked.state) as state,
        coalesce(ranked.is_training, false) as is_training,
        coalesce(ranked.is_return, false) as is_return,
        source_orders.source_order_id,
        nullif(trim(ranked.loyalty_card_number), '') as loyalty_card_number,
        ranked.receipt_email_hash,
        payment_types.payment_type,
        ranked.source_name as till_name,
        ranked.customer_id as square_customer_id,
        cast(ranked.total_money_amount / 100.0 as numeric(18, 2)) as total_amount,
        cast(coalesce(ranked.total_discount_money_amount, 0) / 100.0 as numeric(18, 2)) as discount_amount,
        upper(ranked.total_money_currency) as currency,
        ranked._source_file as source_file,
        ranked._dlt_load_id as load_id
    from ranked
    left join payment_types
        on ranked.order_id = payment_types.order_id
    left join source_orders
        on
            ranked.order_id = source_orders.order_id
            and source_orders.return_rank = 1
    left join store_timezones
        on ranked.location_id = store_timezones.location_id
    where ranked.version_rank = 1
)

select * from final
