-- GA4 event parameters pivoted to one row per event with one typed column per parameter
-- key the site sends (see docs/landing_zone.md). A parameter may arrive in any of the
-- value fields, so text columns take the first non-null value as text and integer
-- columns accept an integer sent as text.

{%- set text_params = {
    'page_location': 'page_location',
    'page_referrer': 'page_referrer',
    'page_title': 'page_title',
    'source': 'param_source',
    'medium': 'param_medium',
    'campaign': 'param_campaign',
    'content': 'param_content',
    'term': 'param_term',
    'gclid': 'gclid',
    'method': 'login_method',
    'store_id': 'store_id',
    'session_engaged': 'session_engaged_text',
} %}
{%- set integer_params = {
    'ga_session_id': 'ga_session_id',
    'ga_session_number': 'ga_session_number',
    'engagement_time_msec': 'engagement_time_msec',
} %}

with

source as (
    select * from {{ source('ga4', 'event_params') }}
),

valued as (
    select
        event_id,
        event_date,
        key as param_key,
        param_index,
        _dlt_load_id as load_id,
        coalesce(
            string_value,
            {{ dbt.cast('int_value', dbt.type_string()) }},
            {{ dbt.cast('double_value', dbt.type_string()) }},
            {{ dbt.cast('float_value', dbt.type_string()) }}
        ) as text_value,
        coalesce(
            int_value,
            case
                when {{ parcours.regex_contains('trim(string_value)', "'^-?[0-9]+$'") }}
                    then cast(trim(string_value) as {{ dbt.type_bigint() }})
            end,
            cast(coalesce(double_value, float_value) as {{ dbt.type_bigint() }})
        ) as integer_value
    from source
),

ranked as (
    -- a key sent twice on one event: the first occurrence wins. An event and its parameters
    -- belong to one event_date (its day file, replaced whole per day), so the day partitions
    -- too: a filter on event_date above this view then reaches the table scan.
    select
        *,
        row_number() over (
            partition by event_date, event_id, param_key
            order by load_id desc, param_index asc
        ) as occurrence_rank
    from valued
),

final as (
    select
        event_id,
        event_date,
        {%- for key, column in text_params.items() %}
        max(case when param_key = '{{ key }}' then text_value end) as {{ column }},
        {%- endfor %}
        {%- for key, column in integer_params.items() %}
        max(case when param_key = '{{ key }}' then integer_value end) as {{ column }},
        {%- endfor %}
        count(*) as param_count
    from ranked
    where occurrence_rank = 1
    group by event_id, event_date
)

select * from final
