{#- An 8-byte floating point type. dbt.type_float() is one on Snowflake, BigQuery, Postgres
    and Spark, but FLOAT is 4 bytes on DuckDB: shares and credits that must sum to 1 need 8. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'parcours')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return(dbt.type_float()) }}
{%- endmacro %}

{% macro duckdb__type_double() -%}
    {{ return('double') }}
{%- endmacro %}
