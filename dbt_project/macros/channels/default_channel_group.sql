{#-
    GA4's "Session default channel group" of a session from its manual traffic source:
    source, medium and campaign name (SQL expressions). Returns exactly one of Google's
    channel names, evaluating Google's published rules for manual traffic in Google's order
    (https://support.google.com/analytics/answer/9756891); the first rule that matches wins.

    Matching is case-insensitive. A null or blank source counts as "(direct)", a null or
    blank medium as "(none)" and a null or blank campaign as "(not set)", as GA4 reports
    sessions without traffic-source parameters.

    Source categories (shopping / search / social / video sites) come from the seed
    `ga4_source_categories` (same shape as Google's downloadable list). Two ways to use them:
      * pass `source_category`: the category column of a LEFT JOIN of your model to the seed
        on lower(source) (recommended on big tables, and the only way on Spark, which does not
        accept subqueries inside CASE);
      * omit it: the macro tests membership with `in (select ... from ref(...))` subqueries.
-#}
{% macro default_channel_group(source, medium, campaign, source_category=none) -%}
    {%- set src = "lower(coalesce(nullif(trim(" ~ source ~ "), ''), '(direct)'))" -%}
    {%- set med = "lower(coalesce(nullif(trim(" ~ medium ~ "), ''), '(none)'))" -%}
    {%- set cmp = "lower(coalesce(nullif(trim(" ~ campaign ~ "), ''), '(not set)'))" -%}

    {%- set is_paid_medium = parcours.regex_contains(med, "'^(.*cp.*|ppc|retargeting|paid.*)$'") -%}
    {%- set is_shopping_campaign = parcours.regex_contains(cmp, "'^(.*(([^a-df-z]|^)shop|shopping).*)$'") -%}
    {%- set is_shopping_site = parcours._source_in_category(src, 'SOURCE_CATEGORY_SHOPPING', source_category) -%}
    {%- set is_search_site = parcours._source_in_category(src, 'SOURCE_CATEGORY_SEARCH', source_category) -%}
    {%- set is_social_site = parcours._source_in_category(src, 'SOURCE_CATEGORY_SOCIAL', source_category) -%}
    {%- set is_video_site = parcours._source_in_category(src, 'SOURCE_CATEGORY_VIDEO', source_category) -%}
    case
        when {{ src }} = '(direct)' and {{ med }} in ('(not set)', '(none)')
            then 'Direct'
        when {{ cmp }} like '%cross-network%'
            then 'Cross-network'
        when ({{ is_shopping_site }} or {{ is_shopping_campaign }}) and {{ is_paid_medium }}
            then 'Paid Shopping'
        when {{ is_search_site }} and {{ is_paid_medium }}
            then 'Paid Search'
        when {{ is_social_site }} and {{ is_paid_medium }}
            then 'Paid Social'
        when {{ is_video_site }} and {{ is_paid_medium }}
            then 'Paid Video'
        when {{ med }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm')
            then 'Display'
        when {{ is_paid_medium }}
            then 'Paid Other'
        when {{ is_shopping_site }} or {{ is_shopping_campaign }}
            then 'Organic Shopping'
        when {{ is_social_site }}
            or {{ med }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'Organic Social'
        when {{ is_video_site }} or {{ med }} like '%video%'
            then 'Organic Video'
        when {{ is_search_site }} or {{ med }} = 'organic'
            then 'Organic Search'
        when {{ med }} in ('referral', 'app', 'link')
            then 'Referral'
        when {{ src }} in ('email', 'e-mail', 'e_mail', 'e mail')
            or {{ med }} in ('email', 'e-mail', 'e_mail', 'e mail')
            then 'Email'
        when {{ med }} = 'affiliate'
            then 'Affiliates'
        when {{ med }} = 'audio'
            then 'Audio'
        when {{ src }} = 'sms' or {{ med }} = 'sms'
            then 'SMS'
        when {{ med }} like '%push'
            or {{ med }} like '%mobile%'
            or {{ med }} like '%notification%'
            or {{ src }} = 'firebase'
            then 'Mobile Push Notifications'
        else 'Unassigned'
    end
{%- endmacro %}


{#- `source_expression` belongs to `category` (a SOURCE_CATEGORY_* value of the seed). -#}
{% macro _source_in_category(source_expression, category, source_category=none) -%}
    {%- if source_category is not none -%}
        coalesce({{ source_category }} = '{{ category }}', false)
    {%- else -%}
        {{ source_expression }} in (
            select ga4_source_categories.source
            from {{ ref('ga4_source_categories') }} as ga4_source_categories
            where ga4_source_categories.source_category = '{{ category }}'
        )
    {%- endif -%}
{%- endmacro %}


{#- Every channel name default_channel_group can return, in Google's rule order. -#}
{% macro default_channel_group_names() -%}
    {{ return([
        'Direct', 'Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social', 'Paid Video',
        'Display', 'Paid Other', 'Organic Shopping', 'Organic Social', 'Organic Video',
        'Organic Search', 'Referral', 'Email', 'Affiliates', 'Audio', 'SMS',
        'Mobile Push Notifications', 'Unassigned'
    ]) }}
{%- endmacro %}
