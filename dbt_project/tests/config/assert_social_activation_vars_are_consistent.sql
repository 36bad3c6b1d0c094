-- The social listening, voice of the customer and activation vars of dbt_project.yml hold
-- usable values: one row per broken rule, so a typo fails `dbt build` before a model uses it.
{%- set known_segment_types = [
    'rfm', 'behaviour', 'funnel_stage', 'buying_cycle', 'region', 'age_band', 'gender'
] -%}
{%- set checks = [
    ('text_sentiment_negative_max < text_sentiment_positive_min',
        var('text_sentiment_negative_max') < var('text_sentiment_positive_min')),
    ('text sentiment thresholds within [-1, 1]',
        -1 <= var('text_sentiment_negative_max') <= 1 and -1 <= var('text_sentiment_positive_min') <= 1),
    ('text_languages is not empty', var('text_languages') | length > 0),
    ('social_influencer_min_followers >= 0', var('social_influencer_min_followers') >= 0),
    ('social_advocate_min_positive_mentions >= 1', var('social_advocate_min_positive_mentions') >= 1),
    ('social_advocate_max_negative_share between 0 and 1', 0 <= var('social_advocate_max_negative_share') <= 1),
    ('social_top_topics >= 1', var('social_top_topics') >= 1),
    ('activation_segment_types are known segmentations',
        var('activation_segment_types') | reject('in', known_segment_types) | list | length == 0),
] %}

with

checks as (
    {% for description, holds in checks %}
    select
        '{{ description }}' as rule_check,
        {{ 'true' if holds else 'false' }} as holds
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select rule_check
    from checks
    where not holds
)

select * from final
