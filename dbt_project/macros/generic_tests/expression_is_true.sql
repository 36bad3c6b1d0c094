{#- Fails on rows where the SQL boolean `expression` is not true (false or null). On a column,
    the expression is appended to the column name, e.g. expression: ">= order_total". -#}
{% test expression_is_true(model, expression, column_name=none) %}
    {%- set tested = (column_name ~ ' ' ~ expression) if column_name is not none else expression -%}
    select *
    from {{ model }}
    where not coalesce(({{ tested }}), false)
{% endtest %}
