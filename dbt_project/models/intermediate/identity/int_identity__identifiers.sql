-- One row per identifier value (namespace + value) with what decides whether it links
-- records: the block list (seed identity_blocklist), the registry rule (seed column
-- registered_by: a loyalty card no CRM contact holds links nothing), the limit of persons per
-- value (seed column max_persons_per_value; persons are the anchor CRM contacts carrying the
-- value, duplicates of one person counted once by gender and birth year) and, for values no
-- CRM contact carries, the most records in one day (var
-- identity_shared_value_max_records_per_day). link_status says which rule applied first.

{%- set max_records_per_day = var('identity_shared_value_max_records_per_day') %}

{%- set value_matches_blocklist_pattern = parcours.regex_contains(
    'lower(typed_values.identifier_value)', 'blocklist.value'
) %}
{%- set birth_year_text = dbt.safe_cast('contacts.birth_year', dbt.type_string()) %}

with

observations as (
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

known_observations as (
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
    select distinct
        identifier_namespace,
        identifier_type,
        identifier_value
    from known_observations
),

typed_values_with_priority as (
    select
        typed_values.*,
        identifier_types.priority
    from typed_values
    inner join identifier_types
        on typed_values.identifier_type = identifier_types.identifier_type
),

exact_blocked_values as (
    -- rules on the whole value: a hash join on it
    select
        typed_values.identifier_namespace,
        typed_values.identifier_value,
        blocklist.reason
    from typed_values
    inner join blocklist
        on
            typed_values.identifier_value = blocklist.value
            and (typed_values.identifier_type = blocklist.identifier_type or blocklist.identifier_type = '*')
    where blocklist.match_type = 'exact'
),

typed_regex_blocked_values as (
    -- patterns of one identifier type: each value meets only its own type's patterns (a pattern
    -- read from a column is compiled for every row it is tried on)
    select
        typed_values.identifier_namespace,
        typed_values.identifier_value,
        blocklist.reason
    from typed_values
    inner join blocklist
        on typed_values.identifier_type = blocklist.identifier_type
    where
        blocklist.match_type = 'regex'
        and {{ value_matches_blocklist_pattern }}
),

any_type_regex_blocked_values as (
    select
        typed_values.identifier_namespace,
        typed_values.identifier_value,
        blocklist.reason
    from typed_values
    cross join blocklist
    where
        blocklist.identifier_type = '*'
        and blocklist.match_type = 'regex'
        and {{ value_matches_blocklist_pattern }}
),

blocked_values as (
    select
        identifier_namespace,
        identifier_value,
        min(reason) as blocklist_reason
    from (
        select * from exact_blocked_values
        union all
        select * from typed_regex_blocked_values
        union all
        select * from any_type_regex_blocked_values
    ) as matches
    group by identifier_namespace, identifier_value
),

registry_needs as (
    select distinct
        identifier_namespace,
        identifier_value,
        registered_by
    from known_observations
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

anchor_persons as (
    select
        known_observations.identifier_namespace,
        known_observations.identifier_value,
        count(distinct known_observations.record_id) as anchor_contact_count,
        count(
            distinct
            case
                when contacts.gender is not null and contacts.birth_year is not null
                    then
                        {{ dbt.concat(["contacts.gender", "'|'", birth_year_text]) }}
                else {{ dbt.concat(["'contact|'", "known_observations.record_id"]) }}
            end
        ) as person_count
    from known_observations
    left join contacts
        on known_observations.record_id = contacts.contact_id
    where known_observations.record_type = 'contact'
    group by known_observations.identifier_namespace, known_observations.identifier_value
),

daily_records as (
    select
        identifier_namespace,
        identifier_value,
        observed_date,
        count(distinct {{ dbt.concat(['record_type', "'|'", 'record_id']) }}) as record_count
    from known_observations
    group by identifier_namespace, identifier_value, observed_date
),

busiest_days as (
    select
        identifier_namespace,
        identifier_value,
        max(record_count) as max_records_per_day
    from daily_records
    group by identifier_namespace, identifier_value
),

value_summary as (
    select
        identifier_namespace,
        identifier_value,
        min(priority) as best_priority,
        min(max_persons_per_value) as max_persons_per_value,
        count(distinct {{ dbt.concat(['record_type', "'|'", 'record_id']) }}) as record_count,
        count(distinct identifier_type) as identifier_type_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from known_observations
    group by identifier_namespace, identifier_value
),

ranked_types as (
    select
        identifier_namespace,
        identifier_value,
        identifier_type,
        row_number() over (
            partition by identifier_namespace, identifier_value
            order by priority, identifier_type
        ) as type_rank
    from typed_values_with_priority
),

best_types as (
    select
        identifier_namespace,
        identifier_value,
        identifier_type
    from ranked_types
    where type_rank = 1
),

final as (
    select
        value_summary.identifier_namespace,
        value_summary.identifier_value,
        best_types.identifier_type as best_identifier_type,
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
        end as link_status
    from value_summary
    left join best_types
        on
            value_summary.identifier_namespace = best_types.identifier_namespace
            and value_summary.identifier_value = best_types.identifier_value
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
