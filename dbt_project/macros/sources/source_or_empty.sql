{#- A source table, or an empty typed relation when the table does not exist yet: dlt
    creates a raw table on the first load that has rows for it, so a young warehouse may
    lack sparse tables (returns, tickets, quarantine ...). `columns` maps each column the
    model reads to a type name: string, bigint, double, boolean, date, timestamp or
    timestamptz. Use as `from {{ parcours.source_or_empty(...) }}`. In a dbt unit test the
    source is the test's fixture (a relation with no schema), used as it is. -#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and relation.schema is not none
        and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {%- set types = {
            'string': dbt.type_string(),
            'bigint': dbt.type_bigint(),
            'double': dbt.type_float(),
            'boolean': dbt.type_boolean(),
            'date': 'date',
            'timestamp': dbt.type_timestamp(),
            'timestamptz': 'timestamp with time zone',
        } -%}
        (
            select
                {%- for column, type_name in columns.items() %}
                cast(null as {{ types[type_name] }}) as {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            where 1 = 0
        ) as {{ table_name }}_not_loaded_yet
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
