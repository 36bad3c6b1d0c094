-- A named persona-like segment for every customer of dim_customers, from what they did, the
-- first rule that holds winning:
--   contact_only    no purchase and no web visit (known from the CRM, e-mails, social ...);
--   window_shopper  no purchase, visits the web shop;
--   brand_addict    at least var segment_persona_brand_addict_min_orders purchases and an
--                   advocacy signal (promoter answer, positive mention, CRM evangelist) or a
--                   public brand mention / engagement;
--   ropo            buys mostly in store, after web research (int_cross_channel__deferred_purchases)
--                   or, buying only in store, visits the web shop;
--   showroomer      buys mostly online, once at least after a store visit;
--   deal_hunter     arrives on the web through promotional channel groups (var
--                   segment_persona_deal_hunter_channel_groups: affiliates, SMS);
--   store_only / online_only / omnichannel  by the channels they buy in.
-- `parcours evaluate` scores these against the simulator's personas.

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

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
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

touchpoint_summary as (
    select
        customer_key,
        sum(case when channel = 'social' then 1 else 0 end) as social_touchpoints,
        sum(
            case
                when
                    touchpoint_type = 'web_session'
                    and sub_channel in (
                        {{ parcours.sql_string_list(var('segment_persona_deal_hunter_channel_groups')) }}
                    )
                    then 1
                else 0
            end
        ) as promotional_sessions
    from touchpoints
    where customer_key is not null
    group by customer_key
),

measured as (
    select
        customers.customer_key,
        customers.order_count,
        customers.online_order_count,
        customers.store_order_count,
        customers.cookie_count,
        advocates.customer_key is not null as has_advocacy_signal,
        coalesce(deferred_summary.ropo_purchases, 0) as ropo_purchases,
        coalesce(deferred_summary.showrooming_purchases, 0) as showrooming_purchases,
        coalesce(touchpoint_summary.social_touchpoints, 0) as social_touchpoints,
        coalesce(touchpoint_summary.promotional_sessions, 0) as promotional_sessions
    from customers
    left join advocates
        on customers.customer_key = advocates.customer_key
    left join deferred_summary
        on customers.customer_key = deferred_summary.customer_key
    left join touchpoint_summary
        on customers.customer_key = touchpoint_summary.customer_key
),

final as (
    select
        customer_key,
        case
            when order_count = 0 and cookie_count = 0 then 'contact_only'
            when order_count = 0 then 'window_shopper'
            when
                order_count >= {{ var('segment_persona_brand_addict_min_orders') }}
                and (has_advocacy_signal or social_touchpoints > 0)
                then 'brand_addict'
            when
                store_order_count > online_order_count
                and (ropo_purchases > 0 or (online_order_count = 0 and cookie_count > 0))
                then 'ropo'
            when online_order_count > store_order_count and showrooming_purchases > 0 then 'showroomer'
            when promotional_sessions > 0 then 'deal_hunter'
            when online_order_count = 0 then 'store_only'
            when store_order_count = 0 then 'online_only'
            else 'omnichannel'
        end as persona_segment,
        has_advocacy_signal,
        cast(ropo_purchases as integer) as ropo_purchases,
        cast(showrooming_purchases as integer) as showrooming_purchases,
        cast(social_touchpoints as integer) as social_touchpoints,
        cast(promotional_sessions as integer) as promotional_sessions
    from measured
)

select * from final
