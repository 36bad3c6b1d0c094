-- Consent coverage of the customers' current consent state (dim_customers): per consent
-- (email, sms, ads, analytics), the customers who consented, refused or never said, split by
-- the customer attributes the app filters on (region, RFM segment, behaviour segment). Every
-- measure is additive; consented + refused + unanswered = customers.

{%- set consents = ['email', 'sms', 'ads', 'analytics'] %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

{% for consent in consents %}
consent_{{ consent }} as (
    select
        '{{ consent }}' as consent,
        region,
        rfm_segment,
        behaviour_segment,
        count(*) as customers,
        count(case when consent_{{ consent }} then 1 end) as consented,
        count(case when not consent_{{ consent }} then 1 end) as refused,
        count(case when consent_{{ consent }} is null then 1 end) as unanswered
    from customers
    group by
        region,
        rfm_segment,
        behaviour_segment
),

{% endfor %}
unioned as (
    {% for consent in consents %}
    select * from consent_{{ consent }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        cast(consent as {{ dbt.type_string() }}) as consent,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(behaviour_segment as {{ dbt.type_string() }}) as behaviour_segment,
        cast(customers as bigint) as customers,
        cast(consented as bigint) as consented,
        cast(refused as bigint) as refused,
        cast(unanswered as bigint) as unanswered
    from unioned
)

select * from final
