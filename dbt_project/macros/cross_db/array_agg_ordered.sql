{#- An array (list) of `expression` ordered by `order_by` (SQL, e.g. "event_at, event_id":
    always end with a tie-breaker, ties make order non-deterministic). Nulls are skipped.
    For a delimited string use dbt.listagg instead. -#}
{% macro array_agg_ordered(expression, order_by) -%}
    {{ return(adapter.dispatch('array_agg_ordered', 'parcours')(expression, order_by)) }}
{%- endmacro %}

{% macro default__array_agg_ordered(expression, order_by) -%}
    array_agg({{ expression }} order by {{ order_by }}) filter (where {{ expression }} is not null)
{%- endmacro %}

{% macro duckdb__array_agg_ordered(expression, order_by) -%}
    list({{ expression }} order by {{ order_by }}) filter (where {{ expression }} is not null)
{%- endmacro %}

{#- BigQuery's ARRAY_AGG fails on nulls unless told to ignore them. -#}
{% macro bigquery__array_agg_ordered(expression, order_by) -%}
    array_agg({{ expression }} ignore nulls order by {{ order_by }})
{%- endmacro %}

{% macro snowflake__array_agg_ordered(expression, order_by) -%}
    array_agg({{ expression }}) within group (order by {{ order_by }})
{%- endmacro %}
