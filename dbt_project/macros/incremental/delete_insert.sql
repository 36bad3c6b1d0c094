{#- dbt-duckdb's delete+insert with a list unique_key deletes `using` the new rows joined on
    every key column: a key held by n new rows and m stored rows (fct_touchpoints: every
    touchpoint of one identity record) makes n x m join rows before the delete, quadratic in the
    touchpoints of a record. Here the delete is a semi-join on the key tuple instead (each stored
    row probed once), as dbt-core's default does; the rest is dbt-duckdb's macro unchanged. The
    root project's `duckdb__` macro takes precedence over the adapter's in dbt's dispatch. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}

    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}

    {% if unique_key %}
        {%- set key_columns = [unique_key] if unique_key is string else unique_key -%}
        {%- set key_csv = key_columns | join(', ') %}
        delete from {{ target }}
        where ({{ key_csv }}) in (
            select {{ key_csv }}
            from {{ source }}
        )
        {%- if incremental_predicates %}
            {% for predicate in incremental_predicates %}
                and {{ predicate }}
            {% endfor %}
        {%- endif -%};
    {% endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )

{%- endmacro %}
