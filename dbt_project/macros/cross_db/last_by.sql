{#- The value of `expression` on the row of the group with the largest `order_by`: first_by's
    mirror (a single expression, unique within the group: ties pick any row; null kept; rows
    whose `order_by` is null skipped). One pass of a hash aggregate: no window sort. -#}
{% macro last_by(expression, order_by) -%}
    {{ return(adapter.dispatch('last_by', 'parcours')(expression, order_by)) }}
{%- endmacro %}

{#- Engines with ordered aggregates (PostgreSQL): the first element of the array in descending order. -#}
{% macro default__last_by(expression, order_by) -%}
    (array_agg({{ expression }} order by {{ order_by }} desc) filter (where {{ order_by }} is not null))[1]
{%- endmacro %}

{#- DuckDB: arg_max_null keeps a null value (arg_max would skip to the next row). -#}
{% macro duckdb__last_by(expression, order_by) -%}
    arg_max_null({{ expression }}, {{ order_by }})
{%- endmacro %}
