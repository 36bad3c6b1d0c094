-- One row per identifier value (namespace + value) with what decides whether it links
-- records: the block list (seed identity_blocklist), the registry rule (seed column
-- registered_by: a loyalty card no CRM contact holds links nothing), the limit of persons per
-- value (seed column max_persons_per_value; persons are the anchor CRM contacts carrying the
-- value, duplicates of one person counted once by gender and birth year) and, for values no
-- CRM contact carries, the most records in one day (var
-- identity_shared_value_max_records_per_day; counted only for values on more records in
-- all than that limit, the only ones that can exceed it). link_status says which rule
-- applied first. identifier_node_id is the value's node in the identity graph
-- (int_identity__edges): an odd integer hashed from (namespace, value) (macro identifier_node_id),
-- the same on every run; records take the even ones.
-- Block-list entries: `exact` ones by an equality join on the value; `regex` ones whose
-- pattern is in the seed as loaded at compile time as SQL literals (compiled once per query,
-- not once per row); any other regex entry (a unit-test fixture) row by row.

{%- set max_records_per_day = var('identity_shared_value_max_records_per_day') %}

{%- set value_matches_blocklist_pattern = parcours.regex_contains(
    'lowered_values.lowered_value', 'other_regex_blocklist.value'
) %}
{#- regex patterns read from a table are compiled once per row: the seed's patterns are
    also inlined as literals (see macro identity_blocklist_regex_patterns) -#}
{%- set literal_patterns = parcours.identity_blocklist_regex_patterns() %}
{%- set birth_year_text = dbt.safe_cast('contacts.birth_year', dbt.type_string()) %}

with

observations as {{ parcours.cte_not_materialized() }} (
    -- read through known_observations four times: each read scans the columns it needs
    -- (buffered whole, it cost a third more peak memory)
    select * from {{ ref('int_identity__observations') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

identifier_types as (
    select * from {{ ref('identity_identifier_types') }}
),

blocklist as (
    select * from {{ ref('identity_blocklist') }}
),

known_observations as {{ parcours.cte_not_materialized() }} (
    -- read four times: inlined, it peaks at a quarter less memory than buffered (same CPU)
    select
        observations.*,
        identifier_types.priority,
        identifier_types.max_persons_per_value,
        identifier_types.registered_by
    from observations
    inner join identifier_types
        on observations.identifier_type = identifier_types.identifier_type
),

typed_values as (
    -- one row per value and type: all that the rules below need of the observations, but the
    -- registering records, the anchor contacts and the per-day counts (which read them again);
    -- an observation is one record carrying one value (the grain of
    -- int_identity__observations), so count(*) counts records
    select
        identifier_namespace,
        identifier_type,
        identifier_value,
        min(priority) as priority,
        min(max_persons_per_value) as max_persons_per_value,
        min(registered_by) as registered_by,
        count(*) as record_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from known_observations
    group by identifier_namespace, identifier_type, identifier_value
),

exact_blocklist as (
    select * from blocklist
    where match_type = 'exact'
),

regex_blocklist as (
    select * from blocklist
    where match_type = 'regex'
),

literal_patterns as (
    -- the seed's regex patterns as read when this model was compiled
    {%- for pattern in literal_patterns %}
    select {{ parcours.quoted_string(pattern) }} as pattern
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as pattern
    from identifier_types
    where 1 = 0
    {%- endfor %}
),

other_regex_blocklist as (
    -- regex entries that are not among them (a block list changed since): evaluated row by row
    select regex_blocklist.*
    from regex_blocklist
    left join literal_patterns
        on regex_blocklist.value = literal_patterns.pattern
    where literal_patterns.pattern is null
),

lowered_values as (
    select
        identifier_namespace,
        identifier_type,
        identifier_value,
        lower(identifier_value) as lowered_value
    from typed_values
),

literal_pattern_hits as (
    -- each literal pattern compiled once and tested against every value (matches are rare)
    {%- for pattern in literal_patterns %}
    select
        identifier_namespace,
        identifier_type,
        identifier_value,
        {{ parcours.quoted_string(pattern) }} as pattern
    from lowered_values
    where {{ parcours.regex_contains('lowered_value', parcours.quoted_string(pattern)) }}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        identifier_namespace,
        identifier_type,
        identifier_value,
        cast(null as {{ dbt.type_string() }}) as pattern
    from lowered_values
    where 1 = 0
    {%- endfor %}
),

blocklist_matches as (
    -- exact entries: an equality join on the value
    select
        typed_values.identifier_namespace,
        typed_values.identifier_value,
        exact_blocklist.reason
    from typed_values
    inner join exact_blocklist
        on
            typed_values.identifier_value = exact_blocklist.value
            and (
                typed_values.identifier_type = exact_blocklist.identifier_type
                or exact_blocklist.identifier_type = '*'
            )
    union all
    -- regex entries with a literal pattern: the hits joined to the entries of their pattern
    select
        literal_pattern_hits.identifier_namespace,
        literal_pattern_hits.identifier_value,
        regex_blocklist.reason
    from literal_pattern_hits
    inner join regex_blocklist
        on
            literal_pattern_hits.pattern = regex_blocklist.value
            and (
                literal_pattern_hits.identifier_type = regex_blocklist.identifier_type
                or regex_blocklist.identifier_type = '*'
            )
    union all
    -- other regex entries of one identifier type: an equality join on the type, then the pattern
    select
        lowered_values.identifier_namespace,
        lowered_values.identifier_value,
        other_regex_blocklist.reason
    from lowered_values
    inner join other_regex_blocklist
        on lowered_values.identifier_type = other_regex_blocklist.identifier_type
    where {{ value_matches_blocklist_pattern }}
    union all
    -- other regex entries of every identifier type ('*')
    select
        lowered_values.identifier_namespace,
        lowered_values.identifier_value,
        other_regex_blocklist.reason
    from lowered_values
    cross join other_regex_blocklist
    where
        other_regex_blocklist.identifier_type = '*'
        and {{ value_matches_blocklist_pattern }}
),

blocked_values as (
    select
        identifier_namespace,
        identifier_value,
        min(reason) as blocklist_reason
    from blocklist_matches
    group by identifier_namespace, identifier_value
),

registry_needs as (
    select distinct
        identifier_namespace,
        identifier_value,
        registered_by
    from typed_values
    where registered_by is not null
),

unregistered_values as (
    select
        registry_needs.identifier_namespace,
        registry_needs.identifier_value
    from registry_needs
    left join known_observations as registering
        on
            registry_needs.identifier_namespace = registering.identifier_namespace
            and registry_needs.identifier_value = registering.identifier_value
            and registry_needs.registered_by = registering.record_type
    group by registry_needs.identifier_namespace, registry_needs.identifier_value
    having count(registering.record_id) = 0
),

anchor_contacts as (
    -- each anchor contact carrying a value, with the person it stands for: duplicates of one
    -- person share a gender and birth year
    select
        known_observations.identifier_namespace,
        known_observations.identifier_value,
        case
            when contacts.gender is not null and contacts.birth_year is not null
                then
                    {{ dbt.concat(["contacts.gender", "'|'", birth_year_text]) }}
            else {{ dbt.concat(["'contact|'", "known_observations.record_id"]) }}
        end as person
    from known_observations
    left join contacts
        on known_observations.record_id = contacts.contact_id
    where known_observations.record_type = 'contact'
),

anchor_contact_persons as (
    -- one row per value and person: an observation is one record carrying one value (the
    -- grain of int_identity__observations), so count(*) counts the person's contacts, and the
    -- next aggregate counts both without count(distinct), which DuckDB plans as aggregates
    -- joined back (measured at 1M people: 6.1 -> 5.3 s for the model)
    select
        identifier_namespace,
        identifier_value,
        person,
        count(*) as contact_count
    from anchor_contacts
    group by identifier_namespace, identifier_value, person
),

anchor_persons as (
    select
        identifier_namespace,
        identifier_value,
        cast(sum(contact_count) as {{ dbt.type_bigint() }}) as anchor_contact_count,
        count(*) as person_count
    from anchor_contact_persons
    group by identifier_namespace, identifier_value
),

value_summary as (
    select
        identifier_namespace,
        identifier_value,
        -- priority is unique per identifier type (seed test): one pass, no window over types
        {{ parcours.first_by('identifier_type', 'priority') }} as best_identifier_type,
        min(priority) as best_priority,
        min(max_persons_per_value) as max_persons_per_value,
        cast(sum(record_count) as {{ dbt.type_bigint() }}) as record_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from typed_values
    group by identifier_namespace, identifier_value
),

crowded_values as (
    -- only a value on more records in all than the daily limit can exceed it on one day:
    -- the per-day counts below are computed for these few values, not for every observation
    select
        identifier_namespace,
        identifier_value
    from value_summary
    where record_count > {{ max_records_per_day }}
),

daily_records as (
    -- an observation is one record carrying one value: count(*) counts records per day
    select
        known_observations.identifier_namespace,
        known_observations.identifier_value,
        known_observations.observed_date,
        count(*) as record_count
    from known_observations
    inner join crowded_values
        on
            known_observations.identifier_namespace = crowded_values.identifier_namespace
            and known_observations.identifier_value = crowded_values.identifier_value
    group by
        known_observations.identifier_namespace,
        known_observations.identifier_value,
        known_observations.observed_date
),

busiest_days as (
    select
        identifier_namespace,
        identifier_value,
        max(record_count) as max_records_per_day
    from daily_records
    group by identifier_namespace, identifier_value
),

final as (
    select
        value_summary.identifier_namespace,
        value_summary.identifier_value,
        value_summary.best_identifier_type,
        value_summary.best_priority,
        value_summary.first_seen_at,
        value_summary.last_seen_at,
        value_summary.record_count,
        value_summary.max_persons_per_value,
        busiest_days.max_records_per_day,
        blocked_values.blocklist_reason,
        coalesce(anchor_persons.anchor_contact_count, 0) as anchor_contact_count,
        coalesce(anchor_persons.person_count, 0) as person_count,
        case
            when blocked_values.identifier_value is not null then 'blocklisted'
            when unregistered_values.identifier_value is not null then 'unregistered'
            when coalesce(anchor_persons.person_count, 0) > value_summary.max_persons_per_value then 'shared'
            when
                coalesce(anchor_persons.anchor_contact_count, 0) = 0
                and busiest_days.max_records_per_day > {{ max_records_per_day }}
                then 'busy'
            else 'linking'
        end as link_status,
        {{ parcours.identifier_node_id('value_summary.') }} as identifier_node_id
    from value_summary
    left join anchor_persons
        on
            value_summary.identifier_namespace = anchor_persons.identifier_namespace
            and value_summary.identifier_value = anchor_persons.identifier_value
    left join busiest_days
        on
            value_summary.identifier_namespace = busiest_days.identifier_namespace
            and value_summary.identifier_value = busiest_days.identifier_value
    left join blocked_values
        on
            value_summary.identifier_namespace = blocked_values.identifier_namespace
            and value_summary.identifier_value = blocked_values.identifier_value
    left join unregistered_values
        on
            value_summary.identifier_namespace = unregistered_values.identifier_namespace
            and value_summary.identifier_value = unregistered_values.identifier_value
)

select * from final
