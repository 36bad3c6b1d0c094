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
        coalesce(
            string_value,
            {{ dbt.cast('int_value', dbt.type_string()) }},
            {{ dbt.cast('double_value', dbt.type_string()) }},
            {{ dbt.cast('float_value', dbt.type_string()) }}
        ) as text_value,
        case
            -- only the integer keys read it: the text test runs on their rows alone
            when key in ({{ "'" ~ (integer_params.keys() | join("', '")) ~ "'" }})
                then coalesce(
                    int_value,
                    case
                        when {{ parcours.regex_contains('trim(string_value)', "'^-?[0-9]+$'") }}
                            then cast(trim(string_value) as {{ dbt.type_bigint() }})
                    end,
                    cast(coalesce(double_value, float_value) as {{ dbt.type_bigint() }})
                )
        end as integer_value
    from source
),

final as (
    -- a key sent twice on one event: its first occurrence (smallest param_index) wins, its
    -- value kept even when null. Every parameter row of an event comes from one load:
    -- ingestion replaces a GA4 day whole (delete-insert on event_date) and quarantines a
    -- record whose event_date is not its file's day, so no newer load has to win here and one
    -- hash aggregate per event replaces a window over every parameter row (the group keys
    -- hold event_date, so a filter on the day above this view reaches the table scan).
    select
        event_id,
        event_date,
        {%- for key, column in text_params.items() %}
        {{ parcours.first_by('text_value', "case when param_key = '" ~ key ~ "' then param_index end") }}
            as {{ column }},
        {%- endfor %}
        {%- for key, column in integer_params.items() %}
        {{ parcours.first_by('integer_value', "case when param_key = '" ~ key ~ "' then param_index end") }}
            as {{ column }},
        {%- endfor %}
        count(distinct param_key) as param_count
    from valued
    group by event_id, event_date
)

select * from final
