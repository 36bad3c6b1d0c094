{#- The column list and constraints of a contracted table's DDL on DuckDB: dbt's, without the
    primary keys. DuckDB enforces a primary key with an ART index that every insert maintains
    and every checkpoint writes out whole: at 1M customers, fct_attribution_credits (9.6M rows)
    took 44 s to build with its key and 17 s without, and its commit 26 s against 0.2. The keys
    stay declared in the YAML, as metadata where the warehouse does not enforce them, and each
    is guarded by a unique data test (tests/dbt/test_unit_tests.py checks both). Not-null and
    check constraints stay enforced. -#}
{% macro duckdb__get_table_columns_and_constraints() -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set column_without_key = {} -%}
        {%- do column_without_key.update(column) -%}
        {%- do column_without_key.update({
            'constraints': parcours.without_primary_keys(column.get('constraints', []))
        }) -%}
        {%- do columns.update({name: column_without_key}) -%}
    {%- endfor -%}
    {%- set column_ddl = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set model_constraint_ddl = adapter.render_raw_model_constraints(
        raw_constraints=parcours.without_primary_keys(model['constraints'])
    ) -%}
    (
    {% for ddl in column_ddl -%}
        {{ ddl }}{{ "," if not loop.last or model_constraint_ddl }}
    {% endfor %}
    {% for ddl in model_constraint_ddl -%}
        {{ ddl }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}


{#- Constraints (dicts with a 'type') but the primary keys. -#}
{% macro without_primary_keys(constraints) -%}
    {{ return(constraints | rejectattr('type', 'equalto', 'primary_key') | list) }}
{%- endmacro %}
