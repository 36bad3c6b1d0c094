-- A named persona-like segment for every customer of dim_customers, from what they did, the
-- first rule that holds winning:
--   contact_only    no purchase and no web visit (known from the CRM, e-mails, social ...);
--   window_shopper  no purchase, visits the web shop;
--   brand_addict    at least var segment_persona_brand_addict_min_orders purchases and an
--                   advocacy signal (promoter answer, positive mention, CRM evangelist) or
--                   the RFM segment champion;
--   ropo            a store purchase after web research (int_cross_channel__deferred_purchases);
--   showroomer      an online purchase after a store visit;
--   deal_hunter     discounts of at least var segment_persona_deal_hunter_min_discount_share
--                   of the gross amount of their store sales;
--   one_off         a single purchase and a single channel;
--   online_only / store_only / omnichannel  by the channels they buy in.

with

customers as (
    select * from {{ ref('dim_customers') }}
),

signals as (
    select * from {{ ref('int_journey__customer_signals') }}
),

deferred_purchases as (
    select * from {{ ref('int_cross_channel__deferred_purchases') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

advocates as (
    select distinct customer_key
    from signals
    where signal_type in ('promoter_answer', 'positive_mention', 'prior_advocacy')
),

deferred_summary as (
    select
        customer_key,
        sum(case when behaviour = 'ropo' then 1 else 0 end) as ropo_purchases,
        sum(case when behaviour = 'showrooming' then 1 else 0 end) as showrooming_purchases
    from deferred_purchases
    group by customer_key
),

discount_summary as (
    select
        customer_key,
        sum(discount_amount) / nullif(sum(gross_amount), 0) as store_discount_share
    from orders
    where customer_key is not null and order_channel = 'store'
    group by customer_key
),

final as (
    select
        customers.customer_key,
        case
            when customers.order_count = 0 and customers.cookie_count = 0 then 'contact_only'
            when customers.order_count = 0 then 'window_shopper'
            when
                customers.order_count >= {{ var('segment_persona_brand_addict_min_orders') }}
                and (advocates.customer_key is not null or customers.rfm_segment = 'champion')
                then 'brand_addict'
            when coalesce(deferred_summary.ropo_purchases, 0) > 0 then 'ropo'
            when coalesce(deferred_summary.showrooming_purchases, 0) > 0 then 'showroomer'
            when
                discount_summary.store_discount_share
                >= {{ var('segment_persona_deal_hunter_min_discount_share') }}
                then 'deal_hunter'
            when customers.order_count = 1 and customers.channel_count <= 1 then 'one_off'
            when customers.store_order_count = 0 then 'online_only'
            when customers.online_order_count = 0 then 'store_only'
            else 'omnichannel'
        end as persona_segment,
        advocates.customer_key is not null as has_advocacy_signal,
        cast(coalesce(deferred_summary.ropo_purchases, 0) as integer) as ropo_purchases,
        cast(coalesce(deferred_summary.showrooming_purchases, 0) as integer) as showrooming_purchases,
        cast(discount_summary.store_discount_share as double) as store_discount_share
    from customers
    left join advocates
        on customers.customer_key = advocates.customer_key
    left join deferred_summary
        on customers.customer_key = deferred_summary.customer_key
    left join discount_summary
        on customers.customer_key = discount_summary.customer_key
)

select * from final
