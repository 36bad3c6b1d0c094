-- Every change of shape ingestion met, from every raw dataset: one row per source, raw
-- table, landing file (or API origin), load, change and column (or GA4 parameter key):
-- new columns, missing columns, type drift, new and vanished parameter keys. A load is
-- the latest of its source when no later load of that source reconciled any file.

with

unioned as (
    {% call parcours.union_raw_datasets('schema_drift', {
        'table_name': 'string', 'source_file': 'string', '_dlt_load_id': 'string', 'change': 'string',
        'column_name': 'string', 'source_path': 'string', 'detail': 'string', 'records': 'bigint'
    }) %}
        table_name,
        source_file,
        _dlt_load_id as load_id,
        change,
        column_name,
        source_path,
        detail,
        records
    {% endcall %}
),

latest_loads as (
    {% call parcours.union_raw_datasets('reconciliation') %}
        max(_dlt_load_id) as latest_load_id
    {% endcall %}
),

final as (
    select
        {{ parcours.surrogate_key([
            'unioned.source', 'table_name', 'source_file', 'load_id', 'change', 'source_path', 'column_name'
        ]) }} as schema_drift_id,
        unioned.source,
        unioned.table_name,
        unioned.source_file,
        unioned.load_id,
        unioned.change,
        unioned.column_name,
        unioned.source_path,
        unioned.detail,
        unioned.records,
        coalesce(unioned.load_id = latest_loads.latest_load_id, false) as is_latest_load
    from unioned
    left join latest_loads
        on unioned.source = latest_loads.source
)

select * from final
