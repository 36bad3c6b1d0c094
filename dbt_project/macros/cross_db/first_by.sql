{#- The value of `expression` on the row of the group with the smallest `order_by` (a single
    expression, unique within the group: ties pick any row), null kept when that row's value is
    null. Rows whose `order_by` is null are skipped, so `order_by` may carry a condition
    (`case when <condition> then <key> end`), the portable form of a FILTER clause; null when
    no row qualifies. One pass of a hash aggregate: no window sort. -#}
{% macro first_by(expression, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'parcours')(expression, order_by)) }}
{%- endmacro %}

{#- Engines with ordered aggregates (PostgreSQL): the first element of the ordered array. -#}
{% macro default__first_by(expression, order_by) -%}
    (array_agg({{ expression }} order by {{ order_by }}) filter (where {{ order_by }} is not null))[1]
{%- endmacro %}

{#- DuckDB: arg_min_null keeps a null value (arg_min would skip to the next row). -#}
{% macro duckdb__first_by(expression, order_by) -%}
    arg_min_null({{ expression }}, {{ order_by }})
{%- endmacro %}
