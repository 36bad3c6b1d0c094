{#- The calendar day, in the reporting time zone (var reporting_timezone), of a UTC timestamp
    without time zone. -#}
{% macro reporting_date(utc_expression) -%}
    cast({{ parcours.utc_to_local_timestamp(utc_expression, "'" ~ var('reporting_timezone') ~ "'") }} as date)
{%- endmacro %}
