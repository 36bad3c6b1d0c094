-- Ingestion's reconciliation rows of every raw dataset in one model: per source, raw table,
-- landing file (or API origin) and load, the records read, loaded and quarantined.

with

unioned as (
    {% call parcours.union_raw_datasets('reconciliation') %}
        table_name,
        source_file,
        _dlt_load_id as load_id,
        records_read,
        records_loaded,
        records_quarantined,
        {{ parcours.to_utc_timestamp('loaded_at') }} as loaded_at
    {% endcall %}
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
