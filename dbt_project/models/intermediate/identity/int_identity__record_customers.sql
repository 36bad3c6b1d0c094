-- One row per identity record with the customer it belongs to: the customer_key of its
-- component in the key registry, null when the record is not stitched (unstitched_reason:
-- bot, training, refused_consent, no_usable_identifier). assigned_at is when the record got
-- its current key: the latest registry change of the identifiers it carries, so a cookie
-- tied to a customer by a later login gets a newer assigned_at and incremental facts re-key
-- its earlier touchpoints. component_id (valid within one run) is the record's component in
-- int_identity__components. `parcours evaluate` and the facts read this model.

with

records as (
    select * from {{ ref('int_identity__records') }}
),

components as {{ parcours.cte_not_materialized() }} (
    -- read twice, each time a few columns of one node type: inlined rather than buffered whole
    -- (measured: 30% less peak memory)
    select * from {{ ref('int_identity__components') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

registry as (
    select * from {{ ref('int_identity__key_registry') }}
),

current_keys as (
    -- each identifier's latest registration, by the node id its text hashes to (as
    -- int_identity__edges joins observations): an aggregate on one integer instead of a
    -- window over the texts, and no join to the identifiers for their node ids. A run registers
    -- an identifier at most once (at its start), so registered_at is unique per identifier.
    select
        {{ parcours.identifier_node_id() }} as identifier_node_id,
        {{ parcours.last_by('customer_key', 'registered_at') }} as customer_key,
        max(registered_at) as registered_at
    from registry
    group by {{ parcours.identifier_node_id() }}
),

identifier_keys as (
    -- each identifier node with its current key
    select
        components.node_id,
        components.component_id,
        components.is_component_consent_refused,
        current_keys.customer_key,
        current_keys.registered_at
    from components
    inner join current_keys
        on components.node_id = current_keys.identifier_node_id
    where components.node_type = 'identifier'
),

component_keys as (
    select
        component_id,
        min(customer_key) as customer_key
    from identifier_keys
    where not is_component_consent_refused
    group by component_id
),

record_assignments as (
    -- per record node, through its edges' integer ids rather than the identifiers' text
    select
        edges.record_node_id,
        max(identifier_keys.registered_at) as assigned_at
    from edges
    inner join identifier_keys
        on edges.identifier_node_id = identifier_keys.node_id
    group by edges.record_node_id
),

record_nodes as (
    select
        node_id,
        component_id,
        is_component_consent_refused
    from components
    where node_type = 'record'
),

final as (
    select
        records.source,
        records.record_type,
        records.record_id,
        records.first_seen_at,
        record_nodes.component_id,
        case when records.exclusion_reason is null then component_keys.customer_key end as customer_key,
        case when records.exclusion_reason is null then record_assignments.assigned_at end as assigned_at,
        case
            when records.exclusion_reason is not null then records.exclusion_reason
            when record_nodes.is_component_consent_refused then 'refused_consent'
            when component_keys.customer_key is null then 'no_usable_identifier'
        end as unstitched_reason
    from records
    left join record_nodes
        on records.record_node_id = record_nodes.node_id
    left join component_keys
        on record_nodes.component_id = component_keys.component_id
    left join record_assignments
        on record_nodes.node_id = record_assignments.record_node_id
)

select * from final
