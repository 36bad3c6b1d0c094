-- Every member of every audience consents today to the audience's channel (the consent the
-- seed activation_channels names, as dim_customers holds it): one row per member who does not.
{%- set consent_channels = ['email', 'sms', 'analytics', 'ads'] %}

with

audiences as (
    select * from {{ ref('fct_activation_audiences') }}
),

channels as (
    select * from {{ ref('activation_channels') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

final as (
    select
        audiences.audience_name,
        audiences.customer_key
    from audiences
    inner join channels
        on audiences.activation_channel = channels.activation_channel
    left join customers
        on audiences.customer_key = customers.customer_key
    where
        customers.customer_key is null
        or case channels.consent_channel
            {%- for channel in consent_channels %}
            when '{{ channel }}' then coalesce(customers.consent_{{ channel }}, false)
            {%- endfor %}
            else false
        end = false
)

select * from final
