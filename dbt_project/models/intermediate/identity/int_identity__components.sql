-- Connected components of the identity graph (int_identity__edges), one row per node: a
-- record or an identifier, with its component (smallest node id in it) computed by bounded
-- label propagation (macro connected_components, var identity_max_iterations). Consent
-- decides links: a component holding a record whose owner refused the consent of var
-- identity_required_consent is not stitched at all (the most restrictive consent wins);
-- when it also holds a contact who granted it, the conflict is flagged. is_converged is
-- false on the nodes of a component the iteration bound cut short.

with

edges as {{ parcours.cte_not_materialized() }} (
    -- read five times: inlined, each read scans only the columns it needs; buffered, the text
    -- columns of every edge were held in memory (measured: a sixth less peak memory)
    select * from {{ ref('int_identity__edges') }}
),

labels as (
    -- DuckDB's USING KEY recursive CTE (macro connected_components), which sqlfluff cannot parse yet:
    {{ parcours.connected_components('edges', var('identity_max_iterations')) }}  -- noqa: PRS
),

record_nodes as (
    -- a record node id stands for one record: one row per id, without grouping by the text columns
    select
        edges.record_node_id as node_id,
        'record' as node_type,
        min(edges.source) as source,  -- noqa: RF04
        min(edges.record_type) as record_type,
        min(edges.record_id) as record_id,
        cast(null as {{ dbt.type_string() }}) as identifier_namespace,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        {{ dbt.bool_or('edges.has_refused_consent') }} as has_refused_consent,
        {{ dbt.bool_or('edges.has_granted_consent') }} as has_granted_consent
    from edges
    group by edges.record_node_id
),

identifier_nodes as (
    select
        identifier_node_id as node_id,
        'identifier' as node_type,
        cast(null as {{ dbt.type_string() }}) as source,  -- noqa: RF04
        cast(null as {{ dbt.type_string() }}) as record_type,
        cast(null as {{ dbt.type_string() }}) as record_id,
        min(identifier_namespace) as identifier_namespace,
        min(identifier_value) as identifier_value
    from edges
    group by identifier_node_id
),

nodes as (
    select * from record_nodes
    union all
    select
        *,
        false as has_refused_consent,
        false as has_granted_consent
    from identifier_nodes
),

unsettled_components as (
    -- an edge whose two ends disagree: propagation stopped before it converged
    select distinct record_labels.component_id
    from edges
    inner join labels as record_labels
        on edges.record_node_id = record_labels.node_id
    inner join labels as identifier_labels
        on edges.identifier_node_id = identifier_labels.node_id
    where record_labels.component_id != identifier_labels.component_id
),

labelled as (
    select
        nodes.*,
        labels.component_id,
        labels.settled_at_iteration,
        unsettled_components.component_id is null as is_converged
    from nodes
    inner join labels
        on nodes.node_id = labels.node_id
    left join unsettled_components
        on labels.component_id = unsettled_components.component_id
),

component_summary as (
    -- an aggregate per component joined back (cheaper than window functions over every node)
    select
        component_id,
        {{ dbt.bool_or('has_refused_consent') }} as is_component_consent_refused,
        {{ dbt.bool_or('has_refused_consent') }}
        and {{ dbt.bool_or('has_granted_consent') }} as has_consent_conflict,
        count(case when node_type = 'record' then 1 end) as component_record_count
    from labelled
    group by component_id
),

final as (
    select
        labelled.node_id,
        labelled.node_type,
        labelled.source,
        labelled.record_type,
        labelled.record_id,
        labelled.identifier_namespace,
        labelled.identifier_value,
        labelled.component_id,
        labelled.settled_at_iteration,
        labelled.is_converged,
        labelled.has_refused_consent,
        component_summary.is_component_consent_refused,
        component_summary.has_consent_conflict,
        component_summary.component_record_count
    from labelled
    inner join component_summary
        on labelled.component_id = component_summary.component_id
)

select * from final
