-- Segment membership in long form, one row per customer and segment type: the segment the
-- customer belongs to under each segmentation (rfm, buying_cycle, behaviour, persona,
-- communication_preference, age_band, gender, region; 'unknown' when the CRM does not say),
-- with the customer's region, orders, net revenue and e-mail consent. Summaries and
-- audiences read segments from here.

{%- set segment_columns = [
    ('rfm', 'attributes.rfm_segment'),
    ('buying_cycle', 'attributes.current_buying_cycle_position'),
    ('behaviour', 'attributes.behaviour_segment'),
    ('persona', 'personas.persona_segment'),
    ('communication_preference', 'attributes.preferred_channel'),
    ('age_band', 'attributes.age_band'),
    ('gender', 'attributes.gender'),
    ('region', 'attributes.region'),
] %}

with

attributes as (
    select * from {{ ref('int_customers__reporting_attributes') }}
),

personas as (
    select * from {{ ref('int_segments__customer_personas') }}
),

final as (
    {%- for segment_type, column in segment_columns %}
    select
        attributes.customer_key,
        '{{ segment_type }}' as segment_type,
        coalesce({{ column }}, 'unknown') as segment,
        attributes.region,
        attributes.order_count,
        attributes.total_revenue,
        coalesce(attributes.consent_email, false) as has_consent_email
    from attributes
    inner join personas
        on attributes.customer_key = personas.customer_key
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
