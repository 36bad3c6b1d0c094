-- The identity graph as star edges: one row per stitchable record and linking identifier it
-- carries (record node -> identifier node), as integer node ids only, so connected components
-- stay linear and never move text: record_node_id of int_identity__records (even),
-- identifier_node_id of int_identity__identifiers (odd); both are deterministic, hence every
-- component id. Records: every identity record but bots and training-till transactions.
-- Identifiers: values whose link_status is `linking`.
-- A record carrying several values of one namespace (a family tablet or shop kiosk where two
-- CRM accounts logged in) links through none of them: each value names another person.
-- Each edge also carries its record's consent flags, so int_identity__components decides
-- consent per component without joining the records back.

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
        records.record_node_id,
        observations.identifier_namespace,
        identifiers.identifier_node_id,
        records.has_refused_consent,
        records.has_granted_consent
    from observations
    -- on the node ids the observation's texts hash to: one integer instead of two or three
    -- texts per join (the two models test their ids unique)
    inner join identifiers
        on {{ parcours.identifier_node_id('observations.') }} = identifiers.identifier_node_id
    inner join records
        on {{ parcours.record_node_id('observations.') }} = records.record_node_id
    where
        identifiers.link_status = 'linking'
        and records.exclusion_reason is null
),

final as (
    -- one row per record and namespace in which it carries exactly one distinct value
    select
        record_node_id,
        min(identifier_node_id) as identifier_node_id,
        -- one record's flags: the same on each of its rows
        {{ dbt.bool_or('has_refused_consent') }} as has_refused_consent,
        {{ dbt.bool_or('has_granted_consent') }} as has_granted_consent
    from linking_observations
    group by record_node_id, identifier_namespace
    having min(identifier_node_id) = max(identifier_node_id)
)

select * from final
