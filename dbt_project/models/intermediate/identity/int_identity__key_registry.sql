{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail'
    )
}}

-- Stable customer keys: an append-only registry of which customer_key every linking
-- identifier belongs to, one row per identifier and key change, never rebuilt (full_refresh
-- false), so a key once shown can always be traced. On each run every current component
-- (int_identity__components, consent-refused ones left out) looks up the keys its
-- identifiers had:
--   * none: a new key, derived from the component's earliest-seen identifier (first seen,
--     then type priority, namespace and value as tie-breakers): the same data always gives
--     the same keys;
--   * one: the component keeps it, also when new data arrives;
--   * several (two clusters merged): the key registered first survives (tie: the smaller
--     key); the others are retired with change_reason `merge` (int_identity__merge_log).
-- A key claimed by several components (a cluster split because a value became shared)
-- stays with the component holding the identifier it was derived from, else the one holding
-- most of its identifiers; the others get a new key (change_reason `split`).

{%- set run_started = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') %}
{%- set registered_at = "cast('" ~ run_started ~ "' as " ~ dbt.type_timestamp() ~ ")" %}

with

components as (
    select * from {{ ref('int_identity__components') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

current_identifiers as (
    select
        components.component_id,
        identifiers.identifier_namespace,
        identifiers.identifier_value,
        identifiers.first_seen_at,
        identifiers.best_priority,
        {{ parcours.surrogate_key(['identifiers.identifier_namespace', 'identifiers.identifier_value']) }}
            as derived_key
    from components
    inner join identifiers
        on components.node_id = identifiers.identifier_node_id
    where
        components.node_type = 'identifier'
        and not components.is_component_consent_refused
),

ranked_anchors as (
    select
        component_id,
        identifier_namespace,
        identifier_value,
        derived_key,
        row_number() over (
            partition by component_id
            order by first_seen_at, best_priority, identifier_namespace, identifier_value
        ) as anchor_rank
    from current_identifiers
),

component_anchors as (
    select
        component_id,
        identifier_namespace as anchor_namespace,
        identifier_value as anchor_value,
        derived_key as anchor_key
    from ranked_anchors
    where anchor_rank = 1
),

{% if is_incremental() %}

registry_history as {{ parcours.cte_not_materialized() }} (
    -- read three times, for a few columns each: inlined rather than buffered whole (the
    -- registry only grows)
    select * from {{ this }}
),

ranked_history as (
    select
        identifier_namespace,
        identifier_value,
        customer_key,
        row_number() over (
            partition by identifier_namespace, identifier_value
            order by registered_at desc, customer_key desc
        ) as history_rank
    from registry_history
),

previous_keys as (
    select
        identifier_namespace,
        identifier_value,
        customer_key
    from ranked_history
    where history_rank = 1
),

known_keys as (
    select
        customer_key,
        min(registered_at) as first_registered_at
    from registry_history
    group by customer_key
),

last_registration as (
    select max(registered_at) as registered_at from registry_history
),

claims as (
    select
        current_identifiers.component_id,
        previous_keys.customer_key,
        count(*) as identifier_count,
        {{ dbt.bool_or('current_identifiers.derived_key = previous_keys.customer_key') }} as holds_key_anchor
    from current_identifiers
    inner join previous_keys
        on
            current_identifiers.identifier_namespace = previous_keys.identifier_namespace
            and current_identifiers.identifier_value = previous_keys.identifier_value
    group by current_identifiers.component_id, previous_keys.customer_key
),

ranked_claims as (
    select
        claims.*,
        row_number() over (
            partition by claims.customer_key
            order by
                case when claims.holds_key_anchor then 0 else 1 end,
                claims.identifier_count desc,
                claims.component_id
        ) as claim_rank
    from claims
),

won_keys as (
    select
        ranked_claims.component_id,
        ranked_claims.customer_key,
        row_number() over (
            partition by ranked_claims.component_id
            order by known_keys.first_registered_at, ranked_claims.customer_key
        ) as survivor_rank
    from ranked_claims
    inner join known_keys
        on ranked_claims.customer_key = known_keys.customer_key
    where ranked_claims.claim_rank = 1
),

component_keys as (
    select
        component_anchors.component_id,
        coalesce(
            won_keys.customer_key,
            case
                when known_keys.customer_key is null then component_anchors.anchor_key
                -- the derived key is taken (a split): salt it with the last registration
                else {{ parcours.surrogate_key([
                    'component_anchors.anchor_namespace',
                    'component_anchors.anchor_value',
                    'last_registration.registered_at',
                ]) }}
            end
        ) as customer_key
    from component_anchors
    cross join last_registration
    left join won_keys
        on
            component_anchors.component_id = won_keys.component_id
            and won_keys.survivor_rank = 1
    left join known_keys
        on component_anchors.anchor_key = known_keys.customer_key
),

changes as (
    select
        current_identifiers.identifier_namespace,
        current_identifiers.identifier_value,
        component_keys.customer_key,
        previous_keys.customer_key as previous_customer_key,
        case
            when previous_keys.customer_key is null then 'new'
            when retired_keys.customer_key is not null then 'merge'
            else 'split'
        end as change_reason
    from current_identifiers
    inner join component_keys
        on current_identifiers.component_id = component_keys.component_id
    left join previous_keys
        on
            current_identifiers.identifier_namespace = previous_keys.identifier_namespace
            and current_identifiers.identifier_value = previous_keys.identifier_value
    left join won_keys as retired_keys
        on
            current_identifiers.component_id = retired_keys.component_id
            and previous_keys.customer_key = retired_keys.customer_key
            and retired_keys.survivor_rank > 1
    where
        previous_keys.customer_key is null
        or previous_keys.customer_key != component_keys.customer_key
),

{% else %}

changes as (
    select
        current_identifiers.identifier_namespace,
        current_identifiers.identifier_value,
        component_anchors.anchor_key as customer_key,
        cast(null as {{ dbt.type_string() }}) as previous_customer_key,
        'new' as change_reason
    from current_identifiers
    inner join component_anchors
        on current_identifiers.component_id = component_anchors.component_id
),

{% endif %}

final as (
    select
        identifier_namespace,
        identifier_value,
        customer_key,
        previous_customer_key,
        change_reason,
        {{ registered_at }} as registered_at
    from changes
)

select * from final
