{#- One row per calendar day from `start_date` to `end_date` INCLUDED, in a column `date_day`.
    Both arguments are SQL date expressions (e.g. "cast('2026-01-01' as date)" or a scalar
    subquery). A full select statement: use it as `from ({{ parcours.day_spine(...) }}) as spine`. -#}
{% macro day_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_spine', 'parcours')(start_date, end_date)) }}
{%- endmacro %}

{#- dbt's date_spine queries the warehouse at compile time for the number of days, so it
    needs constant bounds; its end is exclusive. -#}
{% macro default__day_spine(start_date, end_date) -%}
    select cast(date_day as date) as date_day
    from ({{ dbt.date_spine('day', start_date, dbt.dateadd('day', 1, end_date)) }}) as spine
{%- endmacro %}

{% macro duckdb__day_spine(start_date, end_date) -%}
    select cast(generated.date_day as date) as date_day
    from
        generate_series(
            cast({{ start_date }} as date),
            cast({{ end_date }} as date),
            interval 1 day
        ) as generated (date_day)
{%- endmacro %}
