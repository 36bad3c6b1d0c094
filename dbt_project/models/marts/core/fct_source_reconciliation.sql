-- Per source, raw table, landing file (or API origin) and load: records read, loaded and
-- quarantined by ingestion, plus what the warehouse set aside after loading: GA4 events
-- later than the late-data policy (int_web__late_events_quarantined) and Square
-- training-till transactions (left out of fct_orders). Every row balances:
-- records_read = records_loaded + records_quarantined.

with

reconciliation as (
    select * from {{ ref('stg_ingestion__reconciliation') }}
),

late_events as (
    select * from {{ ref('int_web__late_events_quarantined') }}
),

store_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

late_counts as (
    select
        source,
        table_name,
        source_file,
        load_id,
        count(*) as records_quarantined_late
    from late_events
    group by source, table_name, source_file, load_id
),

training_counts as (
    select
        'pos' as source,  -- noqa: RF04
        'orders' as table_name,
        source_file,
        load_id,
        count(*) as records_excluded_training
    from store_orders
    where is_training
    group by source_file, load_id
),

final as (
    select
        reconciliation.reconciliation_id,
        reconciliation.source,
        reconciliation.table_name,
        reconciliation.source_file,
        reconciliation.load_id,
        reconciliation.loaded_at,
        cast(reconciliation.records_read as bigint) as records_read,
        cast(reconciliation.records_loaded as bigint) as records_loaded,
        cast(reconciliation.records_quarantined as bigint) as records_quarantined,
        cast(coalesce(late_counts.records_quarantined_late, 0) as bigint) as records_quarantined_late,
        cast(reconciliation.records_quarantined + coalesce(late_counts.records_quarantined_late, 0) as bigint)
            as records_quarantined_total,
        cast(coalesce(training_counts.records_excluded_training, 0) as bigint) as records_excluded_training,
        reconciliation.records_read
        = reconciliation.records_loaded + reconciliation.records_quarantined as is_balanced
    from reconciliation
    left join late_counts
        on
            reconciliation.source = late_counts.source
            and reconciliation.table_name = late_counts.table_name
            and reconciliation.source_file = late_counts.source_file
            and reconciliation.load_id = late_counts.load_id
    left join training_counts
        on
            reconciliation.source = training_counts.source
            and reconciliation.table_name = training_counts.table_name
            and reconciliation.source_file = training_counts.source_file
            and reconciliation.load_id = training_counts.load_id
)

select * from final
