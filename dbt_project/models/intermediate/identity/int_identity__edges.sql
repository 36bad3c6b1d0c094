-- The identity graph as star edges: one row per stitchable record and linking identifier it
-- carries (record node -> identifier node), with integer node ids so connected components
-- stay linear. Records: every identity record but bots and training-till transactions.
-- Identifiers: values whose link_status is `linking` (int_identity__identifiers). Record
-- nodes are numbered 1..R by (source, record_type, record_id), identifier nodes R+1.. by
-- (namespace, value): the numbering, hence every component id, is deterministic.
-- A record carrying several values of one namespace (a family tablet or shop kiosk where two
-- CRM accounts logged in) links through none of them: each value names another person.

with

records as (
    select * from {{ ref('int_identity__records') }}
),

observations as (
    select * from {{ ref('int_identity__observations') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

linking_observations as (
    select distinct
        observations.source,
        observations.record_type,
        observations.record_id,
        observations.identifier_namespace,
        observations.identifier_value
    from observations
    inner join identifiers
        on
            observations.identifier_namespace = identifiers.identifier_namespace
            and observations.identifier_value = identifiers.identifier_value
    inner join records
        on
            observations.source = records.source
            and observations.record_type = records.record_type
            and observations.record_id = records.record_id
    where
        identifiers.link_status = 'linking'
        and records.exclusion_reason is null
),

multi_valued_namespaces as (
    select
        source,
        record_type,
        record_id,
        identifier_namespace
    from linking_observations
    group by source, record_type, record_id, identifier_namespace
    having count(*) > 1
),

single_valued_observations as (
    select linking_observations.*
    from linking_observations
    left join multi_valued_namespaces
        on
            linking_observations.source = multi_valued_namespaces.source
            and linking_observations.record_type = multi_valued_namespaces.record_type
            and linking_observations.record_id = multi_valued_namespaces.record_id
            and linking_observations.identifier_namespace = multi_valued_namespaces.identifier_namespace
    where multi_valued_namespaces.record_id is null
),

numbered as (
    select
        *,
        dense_rank() over (order by source, record_type, record_id) as record_node_id,
        dense_rank() over (order by identifier_namespace, identifier_value) as identifier_rank
    from single_valued_observations
),

final as (
    select
        record_node_id,
        source,
        record_type,
        record_id,
        identifier_namespace,
        identifier_value,
        identifier_rank + max(record_node_id) over () as identifier_node_id
    from numbered
)

select * from final
