{#- Fails on rows where `column_name` is below zero (amounts, counts, durations). Nulls pass. -#}
{% test not_negative(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}
