{#- Post-hook of every table, incremental model and seed: log its row count once built, as
    `parcours row count: <n> rows in <relation>`. The orchestration reads the line from dbt's
    structured log and shows the count as the asset's `dagster/row_count`, without opening
    the warehouse while dbt holds it. Views are skipped: counting one would compute it. -#}
{% macro log_row_count() -%}
    {%- if execute and model.config.materialized not in ['view', 'ephemeral'] -%}
        {%- set counted = run_query('select count(*) from ' ~ this) -%}
        {{- log('parcours row count: ' ~ counted.columns[0].values()[0] ~ ' rows in ' ~ this, info=True) -}}
    {%- endif -%}
{%- endmacro %}
