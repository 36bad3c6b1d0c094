{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail'
    )
}}

-- Append-only log of customer merges: one row per retired customer_key and the key that
-- absorbed it, when two clusters joined (int_identity__key_registry rows with change_reason
-- `merge`). Never rebuilt (full_refresh false): with the registry it traces every key ever
-- shown to its current one (fct_identity_merges resolves chains of merges).

with

key_registry as (
    select * from {{ ref('int_identity__key_registry') }}
),

merge_events as (
    select
        previous_customer_key as retired_customer_key,
        customer_key as surviving_customer_key,
        registered_at as merged_at,
        count(*) as identifiers_moved
    from key_registry
    where
        change_reason = 'merge'
    {% if is_incremental() %}
        and registered_at > (select coalesce(max(merged_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }})
        {% endif %}
    group by previous_customer_key, customer_key, registered_at
),

final as (
    select
        retired_customer_key,
        surviving_customer_key,
        merged_at,
        identifiers_moved
    from merge_events
)

select * from final
