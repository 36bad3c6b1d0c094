-- Records ingestion rejected, from every raw dataset: one row per quarantined record
-- (source, raw table, file, line, load) with its reason. Payloads are the masked ones of
-- the raw datasets; the restricted datasets' quarantine (clear payloads of the same
-- records) is left out.

with

unioned as (
    {% call parcours.union_raw_datasets('quarantine', {
        'table_name': 'string', 'reason_code': 'string', 'reason_detail': 'string', 'raw_payload': 'string',
        'source_file': 'string', 'line_number': 'bigint', '_dlt_load_id': 'string'
    }) %}
        table_name,
        reason_code,
        reason_detail,
        source_file,
        line_number,
        _dlt_load_id as load_id,
        raw_payload
    {% endcall %}
),

final as (
    select
        {{ parcours.surrogate_key(['source', 'table_name', 'source_file', 'line_number', 'load_id']) }}
            as quarantine_id,
        source,
        table_name,
        reason_code,
        reason_detail,
        source_file,
        line_number,
        load_id,
        raw_payload
    from unioned
)

select * from final
