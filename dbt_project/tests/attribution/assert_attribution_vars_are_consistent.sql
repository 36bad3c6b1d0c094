-- The attribution vars of dbt_project.yml hold usable values (the shared ones are checked by
-- tests/config/assert_rule_vars_are_consistent.sql): one row per broken rule.
{%- set checks = [
    ('attribution_touchpoint_types is a non-empty list', var('attribution_touchpoint_types') | length > 0),
    ('attribution_no_touch_channel is not empty', var('attribution_no_touch_channel') | length > 0),
    ('attribution_markov_min_paths >= 1', var('attribution_markov_min_paths') >= 1),
    ('attribution_markov_bootstrap_resamples >= 0', var('attribution_markov_bootstrap_resamples') >= 0),
    ('attribution_markov_ci_level strictly between 0 and 1',
        0 < var('attribution_markov_ci_level') < 1),
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
