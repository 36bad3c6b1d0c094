-- Size and value of every segment of every segmentation per region: customers, buyers,
-- orders, net revenue and e-mail-consented customers (int_segments__customer_segments).

with

customer_segments as (
    select * from {{ ref('int_segments__customer_segments') }}
),

final as (
    select
        segment_type,
        segment,
        region,
        cast(count(*) as bigint) as customers,
        cast(sum(case when order_count > 0 then 1 else 0 end) as bigint) as customers_with_orders,
        cast(sum(order_count) as bigint) as orders,
        cast(sum(total_revenue) as numeric(18, 2)) as revenue,
        cast(sum(case when has_consent_email then 1 else 0 end) as bigint) as consent_email_customers
    from customer_segments
    group by segment_type, segment, region
)

select * from final
