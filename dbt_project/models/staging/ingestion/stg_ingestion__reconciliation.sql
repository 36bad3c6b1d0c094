-- Ingestion's reconciliation rows of every raw dataset in one model: per source, raw table,
-- landing file (or API origin) and load, the records read, loaded and quarantined.

{%- set sources = ['crm', 'ga4', 'pos', 'social'] %}

with

{% for source_name in sources -%}
{{ source_name }}_reconciliation as (
    select
        '{{ source_name }}' as source,  -- noqa: RF04
        table_name,
        source_file,
        _dlt_load_id as load_id,
        records_read,
        records_loaded,
        records_quarantined,
        {{ parcours.to_utc_timestamp('loaded_at') }} as loaded_at
    from {{ source(source_name, 'reconciliation') }}
),

{% endfor -%}

unioned as (
    {%- for source_name in sources %}
    select * from {{ source_name }}_reconciliation
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ parcours.surrogate_key(['source', 'table_name', 'source_file', 'load_id']) }} as reconciliation_id,
        source,
        table_name,
        source_file,
        load_id,
        records_read,
        records_loaded,
        records_quarantined,
        loaded_at
    from unioned
)

select * from final
