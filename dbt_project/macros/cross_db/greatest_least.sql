{#- GREATEST / LEAST that IGNORE nulls on every engine (DuckDB, Postgres and Spark ignore
    them; Snowflake, BigQuery and Trino return null as soon as one argument is null).
    `expressions` is a list of SQL expressions; the result is null only when all are null. -#}
{% macro greatest_ignore_nulls(expressions) -%}
    {{ return(adapter.dispatch('greatest_ignore_nulls', 'parcours')(expressions)) }}
{%- endmacro %}

{% macro default__greatest_ignore_nulls(expressions) -%}
    greatest({{ parcours._coalesce_each_first(expressions) }})
{%- endmacro %}

{% macro duckdb__greatest_ignore_nulls(expressions) -%}
    greatest({{ expressions | join(', ') }})
{%- endmacro %}


{% macro least_ignore_nulls(expressions) -%}
    {{ return(adapter.dispatch('least_ignore_nulls', 'parcours')(expressions)) }}
{%- endmacro %}

{% macro default__least_ignore_nulls(expressions) -%}
    least({{ parcours._coalesce_each_first(expressions) }})
{%- endmacro %}

{% macro duckdb__least_ignore_nulls(expressions) -%}
    least({{ expressions | join(', ') }})
{%- endmacro %}


{#- coalesce(a, b, c), coalesce(b, a, c), coalesce(c, a, b): each argument, or any non-null
    other when it is null, so GREATEST/LEAST never see a null unless all are null. -#}
{% macro _coalesce_each_first(expressions) -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- set others = [] -%}
        {%- for other in expressions if other != expression -%}
            {%- do others.append(other) -%}
        {%- endfor -%}
        {%- do parts.append('coalesce(' ~ ([expression] + others) | join(', ') ~ ')') -%}
    {%- endfor -%}
    {{ parts | join(', ') }}
{%- endmacro %}
