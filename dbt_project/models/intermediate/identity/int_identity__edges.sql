-- The identity graph as star edges: one row per stitchable record and linking identifier it
-- carries (record node -> identifier node), with integer node ids so connected components
-- stay linear. Records: every identity record but bots and training-till transactions.
-- Identifiers: values whose link_status is `linking` (int_identity__identifiers). Record
-- nodes are numbered 1..R by (source, record_type, record_id), identifier nodes R+1.. by
-- (namespace, value): the numbering, hence every component id, is deterministic.
-- A record carrying several values of one namespace (a family tablet or shop kiosk where two
-- CRM accounts logged in) links through none of them: each value names another person.
-- Each edge also carries its record's consent flags, so int_identity__components decides
-- consent per component without joining every record back on its text key.

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
    select
        observations.source,
        observations.record_type,
        observations.record_id,
        observations.identifier_namespace,
        observations.identifier_value,
        records.has_refused_consent,
        records.has_granted_consent
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

single_valued_observations as (
    -- one row per record and namespace in which it carries exactly one distinct value
    select
        source,
        record_type,
        record_id,
        identifier_namespace,
        min(identifier_value) as identifier_value,
        -- one record's flags: the same on each of its rows
        {{ dbt.bool_or('has_refused_consent') }} as has_refused_consent,
        {{ dbt.bool_or('has_granted_consent') }} as has_granted_consent
    from linking_observations
    group by source, record_type, record_id, identifier_namespace
    having min(identifier_value) = max(identifier_value)
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
        has_refused_consent,
        has_granted_consent,
        identifier_rank + max(record_node_id) over () as identifier_node_id
    from numbered
)

select * from final
