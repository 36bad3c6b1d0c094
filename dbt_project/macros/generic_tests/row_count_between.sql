{#- Fails when the number of rows of the model is outside [min_value, max_value]; either bound
    may be omitted. Guards against empty or exploded marts. -#}
{% test row_count_between(model, min_value=none, max_value=none) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("row_count_between needs min_value, max_value or both") }}
    {%- endif -%}
    with

    counted as (
        select count(*) as row_count
        from {{ model }}
    ),

    final as (
        select row_count
        from counted
        where
            1 = 0
            {%- if min_value is not none %}
            or row_count < {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or row_count > {{ max_value }}
            {%- endif %}
    )

    select * from final
{% endtest %}
