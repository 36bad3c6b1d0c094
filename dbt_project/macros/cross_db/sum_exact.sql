{#- A sum of floating point values that is the same on every run: each value is cast to a
    fixed-point decimal (15 decimals) and summed exactly, then cast back to an 8-byte float.
    A plain sum of doubles depends on the order the engine's threads add them in, so two runs
    could differ in the last bits. With `partition_by` it is a window sum over that partition. -#}
{% macro sum_exact(expression, partition_by=none) -%}
    {{ return(adapter.dispatch('sum_exact', 'parcours')(expression, partition_by)) }}
{%- endmacro %}

{% macro default__sum_exact(expression, partition_by=none) -%}
    cast(
        sum(cast({{ expression }} as numeric(38, 15)))
        {%- if partition_by is not none %} over (partition by {{ partition_by }}){% endif %}
        as {{ parcours.type_double() }}
    )
{%- endmacro %}

{#- BigQuery's NUMERIC has 9 decimals; BIGNUMERIC has 38. -#}
{% macro bigquery__sum_exact(expression, partition_by=none) -%}
    cast(
        sum(cast({{ expression }} as bignumeric))
        {%- if partition_by is not none %} over (partition by {{ partition_by }}){% endif %}
        as float64
    )
{%- endmacro %}
