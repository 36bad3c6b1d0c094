-- Health figures of the identity graph for the checks to watch, one row per metric and
-- dimension: component size distribution (records per component), the ten largest
-- components, identifiers kept out of stitching by link_status and namespace (blocked,
-- shared over their limit, busy, unregistered), label propagation convergence against the
-- var identity_max_iterations, consent-refused components and consent conflicts, and
-- identity records left unstitched by reason.

with

components as (
    select * from {{ ref('int_identity__components') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
),

component_summary as (
    select
        component_id,
        max(component_record_count) as record_count,
        {{ dbt.bool_or('is_component_consent_refused') }} as is_consent_refused,
        {{ dbt.bool_or('has_consent_conflict') }} as has_consent_conflict,
        not {{ dbt.bool_or('not is_converged') }} as is_converged,
        max(settled_at_iteration) as settled_at_iteration
    from components
    group by component_id
),

component_keys as (
    select
        component_id,
        min(customer_key) as customer_key
    from record_customers
    where component_id is not null
    group by component_id
),

component_size_bands as (
    select
        case
            when record_count = 1 then '1'
            when record_count = 2 then '2'
            when record_count <= 5 then '3-5'
            when record_count <= 10 then '6-10'
            when record_count <= 50 then '11-50'
            when record_count <= 100 then '51-100'
            when record_count <= 1000 then '101-1000'
            else '>1000'
        end as size_band
    from component_summary
),

size_buckets as (
    select
        'component_size' as metric_group,
        'components' as metric_name,
        size_band as dimension,
        cast(count(*) as double) as metric_value
    from component_size_bands
    group by size_band
),

ranked_components as (
    select
        component_summary.record_count,
        coalesce(component_keys.customer_key, 'unstitched') as customer_key,
        row_number() over (
            order by component_summary.record_count desc, component_summary.component_id asc
        ) as size_rank
    from component_summary
    left join component_keys
        on component_summary.component_id = component_keys.component_id
),

largest_components as (
    select
        'largest_components' as metric_group,
        {{ dbt.concat(["'rank_'", dbt.safe_cast('size_rank', dbt.type_string())]) }} as metric_name,
        customer_key as dimension,
        cast(record_count as double) as metric_value
    from ranked_components
    where size_rank <= 10
),

blocked_identifiers as (
    select
        'blocked_identifiers' as metric_group,
        link_status as metric_name,
        identifier_namespace as dimension,
        cast(count(*) as double) as metric_value
    from identifiers
    where link_status != 'linking'
    group by link_status, identifier_namespace
),

graph_totals as (
    select
        'graph' as metric_group,
        'components' as metric_name,
        'all' as dimension,
        cast(count(*) as double) as metric_value
    from component_summary
    union all
    select
        'convergence' as metric_group,
        'unconverged_components' as metric_name,
        'all' as dimension,
        cast(sum(case when is_converged then 0 else 1 end) as double) as metric_value
    from component_summary
    union all
    select
        'convergence' as metric_group,
        'max_settled_iteration' as metric_name,
        'all' as dimension,
        cast(coalesce(max(settled_at_iteration), 0) as double) as metric_value
    from component_summary
    union all
    select
        'convergence' as metric_group,
        'iteration_limit' as metric_name,
        'all' as dimension,
        cast({{ var('identity_max_iterations') }} as double) as metric_value
    union all
    select
        'consent' as metric_group,
        'refused_components' as metric_name,
        'all' as dimension,
        cast(sum(case when is_consent_refused then 1 else 0 end) as double) as metric_value
    from component_summary
    union all
    select
        'consent' as metric_group,
        'consent_conflicts' as metric_name,
        'all' as dimension,
        cast(sum(case when has_consent_conflict then 1 else 0 end) as double) as metric_value
    from component_summary
),

unstitched_records as (
    select
        'records' as metric_group,
        coalesce(unstitched_reason, 'stitched') as metric_name,
        record_type as dimension,
        cast(count(*) as double) as metric_value
    from record_customers
    group by coalesce(unstitched_reason, 'stitched'), record_type
),

final as (
    select * from size_buckets
    union all
    select * from largest_components
    union all
    select * from blocked_identifiers
    union all
    select * from graph_totals
    union all
    select * from unstitched_records
)

select * from final
