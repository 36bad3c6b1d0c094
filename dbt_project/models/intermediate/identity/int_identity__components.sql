-- Connected components of the identity graph (int_identity__edges), one row per node: a
-- record (node_id = record_node_id of int_identity__records) or an identifier
-- (identifier_node_id of int_identity__identifiers: join them for the text), with its
-- component (smallest node id in it) computed by bounded label propagation (macro
-- connected_components, var identity_max_iterations). Consent
-- decides links: a component holding a record whose owner refused the consent of var
-- identity_required_consent is not stitched at all (the most restrictive consent wins);
-- when it also holds a contact who granted it, the conflict is flagged. is_converged is
-- false on the nodes of a component the iteration bound cut short.

with

edges as {{ parcours.cte_not_materialized() }} (
    -- read several times: inlined, each read scans only the columns it needs (measured when
    -- edges still held text: a sixth less peak memory than buffered)
    select * from {{ ref('int_identity__edges') }}
),

labels as (
    -- DuckDB's USING KEY recursive CTE (macro connected_components), which sqlfluff cannot parse yet:
    {{ parcours.connected_components('edges', var('identity_max_iterations')) }}  -- noqa: PRS
),

record_consents as (
    -- only records with a consent flag (a record's flags are the same on each of its edges)
    select
        record_node_id,
        {{ dbt.bool_or('has_refused_consent') }} as has_refused_consent,
        {{ dbt.bool_or('has_granted_consent') }} as has_granted_consent
    from edges
    where has_refused_consent or has_granted_consent
    group by record_node_id
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
    -- the macro labels every node of the edges: record ids are even, identifier ids odd
    select
        labels.node_id,
        labels.component_id,
        labels.settled_at_iteration,
        case when mod(labels.node_id, 2) = 0 then 'record' else 'identifier' end as node_type,
        unsettled_components.component_id is null as is_converged,
        coalesce(record_consents.has_refused_consent, false) as has_refused_consent,
        coalesce(record_consents.has_granted_consent, false) as has_granted_consent
    from labels
    left join record_consents
        on labels.node_id = record_consents.record_node_id
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
