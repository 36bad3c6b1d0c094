{#- The Monday starting the ISO week of a date, as a date. Dispatched because engines disagree
    on the first day of a 'week' (BigQuery's week starts on Sunday, its isoweek on Monday). -#}
{% macro week_start(date_expression) -%}
    {{ return(adapter.dispatch('week_start', 'parcours')(date_expression)) }}
{%- endmacro %}

{#- DuckDB, Postgres, Snowflake (default WEEK_START 0 = ISO), Spark, Trino: weeks start on Monday. -#}
{% macro default__week_start(date_expression) -%}
    cast({{ dbt.date_trunc('week', date_expression) }} as date)
{%- endmacro %}

{% macro bigquery__week_start(date_expression) -%}
    date_trunc(cast({{ date_expression }} as date), isoweek)
{%- endmacro %}
