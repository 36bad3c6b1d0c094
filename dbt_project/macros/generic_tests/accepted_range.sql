{#- Fails on rows whose `column_name` lies outside [min_value, max_value] (bounds excluded
    when inclusive is false). Nulls pass; add not_null for them. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("accepted_range needs min_value, max_value or both") }}
    {%- endif -%}
    {%- set lower_operator = '>=' if inclusive else '>' -%}
    {%- set upper_operator = '<=' if inclusive else '<' -%}
    select *
    from {{ model }}
    where
        {{ column_name }} is not null
        and not (
            {%- if min_value is not none %}
            {{ column_name }} {{ lower_operator }} {{ min_value }}
            {%- endif %}
            {%- if min_value is not none and max_value is not none %} and {% endif %}
            {%- if max_value is not none %}
            {{ column_name }} {{ upper_operator }} {{ max_value }}
            {%- endif %}
        )
{% endtest %}
