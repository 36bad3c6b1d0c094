{#- Like dbt's relationships test, restricted to the child rows where `from_condition` holds
    and the parent rows where `to_condition` holds (SQL boolean expressions). Fails on child
    values with no parent. -#}
{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1') %}
    with

    child as (
        select {{ column_name }} as child_value
        from {{ model }}
        where {{ column_name }} is not null and ({{ from_condition }})
    ),

    parent as (
        select {{ field }} as parent_value
        from {{ to }}
        where {{ to_condition }}
    ),

    final as (
        select child.child_value
        from child
        left join parent on child.child_value = parent.parent_value
        where parent.parent_value is null
    )

    select * from final
{% endtest %}
