{#- Calendar of the KPI marts: UTC timestamps as days, weeks and months of var reporting_timezone. -#}

{#- The calendar day, in var reporting_timezone, of a UTC timestamp without time zone. -#}
{% macro reporting_date(utc_expression) -%}
    cast({{ parcours.utc_to_local_timestamp(utc_expression, dbt.string_literal(var('reporting_timezone'))) }} as date)
{%- endmacro %}

{#- The first day of the month of a date, as a date. -#}
{% macro month_start(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}
