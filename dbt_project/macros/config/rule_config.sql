{#- Read rule configuration (dbt vars, see dbt_project.yml) with a clear error when missing. -#}

{#- Days an incremental model of `source_name` (ga4, crm, pos, social) re-reads on each run. -#}
{% macro late_data_lookback_days(source_name) -%}
    {%- set policy = var('late_data_lookback_days') -%}
    {%- if source_name not in policy -%}
        {{ exceptions.raise_compiler_error(
            "late_data_lookback_days has no entry for source '" ~ source_name
            ~ "'; add it to vars in dbt_project.yml (known: " ~ (policy.keys() | list | join(', ')) ~ ")"
        ) }}
    {%- endif -%}
    {{ return(policy[source_name] | int) }}
{%- endmacro %}

{#- The position-based (U-shaped) weights as a dict {first, middle, last}, checked to sum to 1. -#}
{% macro position_based_weights() -%}
    {%- set weights = var('attribution_position_based_weights') -%}
    {%- set total = (weights['first'] | float) + (weights['middle'] | float) + (weights['last'] | float) -%}
    {%- if (total - 1.0) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(
            "attribution_position_based_weights must sum to 1, got " ~ total
        ) }}
    {%- endif -%}
    {{ return(weights) }}
{%- endmacro %}

{#- A Jinja list as an SQL list of string literals for `in (...)`, e.g. a var of sentiments. -#}
{% macro sql_string_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append(dbt.string_literal(dbt.escape_single_quotes(value | string))) -%}
    {%- endfor -%}
    {{ quoted | join(', ') }}
{%- endmacro %}
