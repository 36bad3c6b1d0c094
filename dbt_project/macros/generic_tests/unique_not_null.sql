{#- Fails once per value of `column_name` that is null or found on more than one row: `unique`
    and `not_null` in one read of the model. For views that are costly to compute (each test
    of a view computes it again), where the two tests would compute it twice. -#}
{% test unique_not_null(model, column_name) %}
    select
        {{ column_name }},
        count(*) as rows_with_value
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{% endtest %}
