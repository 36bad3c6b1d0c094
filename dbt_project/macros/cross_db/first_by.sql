{#- The value of `expression` on the row of the group with the smallest `order_by`, null kept
    when that row's value is null. `order_by` is one expression, unique within the group (ties
    pick any row), or a list of them: ordered by the first, ties broken by the next ones (not
    null). Rows whose (first) `order_by` is null are skipped, so it may carry a condition
    (`case when <condition> then <key> end`), the portable form of a FILTER clause; null when
    no row qualifies. One pass of a hash aggregate: no window sort. -#}
{% macro first_by(expression, order_by) -%}
    {%- set keys = [order_by] if order_by is string else order_by -%}
    {{ return(adapter.dispatch('first_by', 'parcours')(expression, keys)) }}
{%- endmacro %}

{#- Engines with ordered aggregates (PostgreSQL): the first element of the ordered array. -#}
{% macro default__first_by(expression, keys) -%}
    (array_agg({{ expression }} order by {{ keys | join(', ') }}) filter (where {{ keys[0] }} is not null))[1]
{%- endmacro %}

{#- DuckDB: arg_min_null keeps a null value (arg_min would skip to the next row); several keys
    order as a struct, null when the first key is (a struct of nulls would sort last, not be
    skipped). -#}
{% macro duckdb__first_by(expression, keys) -%}
    {%- if keys | length == 1 -%}
        arg_min_null({{ expression }}, {{ keys[0] }})
    {%- else -%}
        arg_min_null(
            {{ expression }},
            case when {{ keys[0] }} is not null then {
                {%- for key in keys %}'k{{ loop.index }}': {{ key }}{% if not loop.last %}, {% endif %}{% endfor -%}
            } end
        )
    {%- endif -%}
{%- endmacro %}
