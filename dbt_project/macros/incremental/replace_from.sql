{#- Custom incremental strategy `replace_from`: replaces, per unique_key value, the stored rows
    from a point on. config(meta={'replace_from': COLUMN}) names an ordered column; of each
    unique_key value in the new rows, the stored rows whose COLUMN is at least the smallest new
    value are deleted, then the new rows inserted. A model then emits only what changed at the
    end of each unit (int_web__sessionized_events: a cookie's sessions from the first one
    sessionized again), not copies of its unchanged rows: deleting those copies spread the
    deletes over every row group, and the commit's checkpoint rewrote them (vacuum). -#}
{% macro get_incremental_replace_from_sql(arg_dict) -%}
    {%- set replace_from = (config.get('meta') or {}).get('replace_from') -%}
    {%- if not replace_from or not arg_dict['unique_key'] or arg_dict['unique_key'] is not string -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_from' needs one unique_key column and "
            ~ "config(meta={'replace_from': '<column>'})"
        ) }}
    {%- endif -%}
    {{ return(parcours.replace_from_sql(
        arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'],
        replace_from, arg_dict['dest_columns']
    )) }}
{%- endmacro %}

{% macro replace_from_sql(target, source, unique_key, replace_from, dest_columns) -%}
    {{ return(adapter.dispatch('replace_from_sql', 'parcours')(
        target, source, unique_key, replace_from, dest_columns
    )) }}
{%- endmacro %}

{% macro default__replace_from_sql(target, source, unique_key, replace_from, dest_columns) -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    delete from {{ target }}
    where exists (
        select 1
        from (
            select
                {{ unique_key }} as replaced_key,
                min({{ replace_from }}) as replaced_from
            from {{ source }}
            group by {{ unique_key }}
        ) as replaced
        where
            replaced.replaced_key = {{ unique_key }}
            and {{ replace_from }} >= replaced.replaced_from
    );

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}
