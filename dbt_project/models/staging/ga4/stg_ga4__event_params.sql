{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        on_schema_change='fail'
    )
}}

-- GA4 event parameters pivoted to one row per event with one typed column per parameter
-- key the site sends (see docs/landing_zone.md). A parameter may arrive in any of the
-- value fields, so text columns take the first non-null value as text and integer
-- columns accept an integer sent as text.
--
-- A table of its own, built before stg_ga4__events joins it: at 1M customers the pivot's
-- hash aggregate (18M events, 92M parameter rows) needs ~6 GB, and inlined as a view it ran
-- beside that model's scans and joins and spilled to disk (262 s for both in a dbt full
-- build, 58 + 68 s apart).
-- Incremental per event_date like stg_ga4__events, on the days of the GA4 events (the parent
-- records) loaded after the newest load here: a day rewritten without any parameter still
-- loses its old ones.

{%- if is_incremental() %}
    {%- set reloaded_days = parcours.reloaded_days(
        source('ga4', 'events'), 'event_date', '_dlt_load_id', 'load_id'
    ) %}
{%- endif %}

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
    {%- if is_incremental() %}
    where event_date in ({{ reloaded_days }})
    {%- endif %}
),

valued as (
    select
        event_id,
        event_date,
        _dlt_load_id as load_id,
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
    -- value kept even when null. A group is one event of one load (stg_ga4__events picks the
    -- load of the version it keeps), so no newer load has to win here and one hash aggregate
    -- replaces a window over every parameter row.
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
        -- count(distinct param_key) made the aggregate spill at 1M customers (a second hash
        -- table of every parameter row): 260 s instead of 53
        count(*) as param_count,
        load_id
    from valued
    -- load_id a group key, not an aggregate (a cheaper state): one row per event and load, as
    -- rows of an older load can outlive a partial reload; stg_ga4__events joins on the load
    group by event_id, event_date, load_id
)

select * from final
