{#- The scalar at `json_path` (JSONPath such as '$.properties.email') of a JSON text or JSON
    column, as text; null when absent. -#}
{% macro json_extract_text(json_expression, json_path) -%}
    {{ return(adapter.dispatch('json_extract_text', 'parcours')(json_expression, json_path)) }}
{%- endmacro %}

{#- SQL:2016 JSON_VALUE: Trino, Postgres 17+, Oracle, SQL Server, BigQuery. -#}
{% macro default__json_extract_text(json_expression, json_path) -%}
    json_value({{ json_expression }}, '{{ json_path }}')
{%- endmacro %}

{% macro duckdb__json_extract_text(json_expression, json_path) -%}
    json_extract_string({{ json_expression }}, '{{ json_path }}')
{%- endmacro %}

{#- Snowflake paths have no leading `$.`. -#}
{% macro snowflake__json_extract_text(json_expression, json_path) -%}
    json_extract_path_text({{ json_expression }}, '{{ json_path | replace("$.", "", 1) }}')
{%- endmacro %}

{% macro spark__json_extract_text(json_expression, json_path) -%}
    get_json_object({{ json_expression }}, '{{ json_path }}')
{%- endmacro %}
