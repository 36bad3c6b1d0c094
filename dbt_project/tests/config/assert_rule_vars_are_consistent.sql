-- The rule vars of dbt_project.yml hold usable values: returns one row per broken rule, so a
-- typo in a threshold fails `dbt build` before any model uses it.
{%- set weights = parcours.position_based_weights() -%}
{%- set known_segment_types = [
    'rfm', 'behaviour', 'funnel_stage', 'buying_cycle', 'region', 'age_band', 'gender'
] -%}
{%- set checks = [
    ('journey_consideration_min_product_views >= 1', var('journey_consideration_min_product_views') >= 1),
    ('journey_consideration_window_days >= 1', var('journey_consideration_window_days') >= 1),
    ('journey_post_purchase_days >= 1', var('journey_post_purchase_days') >= 1),
    ('journey_loyalty_window_days >= 1', var('journey_loyalty_window_days') >= 1),
    ('journey_advocacy_nps_min_score between 0 and 10', 0 <= var('journey_advocacy_nps_min_score') <= 10),
    ('journey_lapsed_inactivity_days >= 1', var('journey_lapsed_inactivity_days') >= 1),
    ('nps_detractor_max_score < nps_promoter_min_score',
        var('nps_detractor_max_score') < var('nps_promoter_min_score')),
    ('session_inactivity_minutes >= 1', var('session_inactivity_minutes') >= 1),
    ('late_data_lookback_days.ga4 >= 3 (GA4 rewrites 3 days)', parcours.late_data_lookback_days('ga4') >= 3),
    ('attribution_lookback_days >= 1', var('attribution_lookback_days') >= 1),
    ('attribution_time_decay_half_life_days > 0', var('attribution_time_decay_half_life_days') > 0),
    ('attribution_position_based_weights are not negative',
        weights['first'] >= 0 and weights['middle'] >= 0 and weights['last'] >= 0),
    ('ropo_window_days >= 1', var('ropo_window_days') >= 1),
    ('showrooming_window_days >= 1', var('showrooming_window_days') >= 1),
    ('ropo_research_min_product_views >= 0', var('ropo_research_min_product_views') >= 0),
    ('cross_channel_min_channels between 2 and 6', 2 <= var('cross_channel_min_channels') <= 6),
    ('kpi_cross_channel_window_days >= 1', var('kpi_cross_channel_window_days') >= 1),
    ('retention_at_risk_inactivity_days between 1 and journey_lapsed_inactivity_days',
        1 <= var('retention_at_risk_inactivity_days') <= var('journey_lapsed_inactivity_days')),
    ('retention_at_risk_gap_factor > 1', var('retention_at_risk_gap_factor') > 1),
    ('segment_persona_brand_addict_min_orders >= 1', var('segment_persona_brand_addict_min_orders') >= 1),
    ('segment_persona_deal_hunter_channel_groups is not empty',
        var('segment_persona_deal_hunter_channel_groups') | length > 0),
    ('attribution_touchpoint_types is a non-empty list', var('attribution_touchpoint_types') | length > 0),
    ('attribution_no_touch_channel is not empty', var('attribution_no_touch_channel') | length > 0),
    ('attribution_markov_min_paths >= 1', var('attribution_markov_min_paths') >= 1),
    ('attribution_markov_bootstrap_resamples >= 0', var('attribution_markov_bootstrap_resamples') >= 0),
    ('attribution_markov_ci_level strictly between 0 and 1',
        0 < var('attribution_markov_ci_level') < 1),
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
