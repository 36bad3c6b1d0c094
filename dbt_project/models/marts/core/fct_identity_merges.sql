-- Every customer merge ever made, one row per retired customer_key (int_identity__merge_log,
-- append-only, survives full refreshes), with the key that absorbed it and the key it
-- resolves to today (following chains of merges: a key retired into a key retired later),
-- so every key ever shown can be traced to its current one.

with recursive

merge_log as (
    select * from {{ ref('int_identity__merge_log') }}
),

latest_merges as (
    select
        retired_customer_key,
        surviving_customer_key,
        merged_at,
        identifiers_moved,
        row_number() over (
            partition by retired_customer_key
            order by merged_at desc, surviving_customer_key asc
        ) as merge_rank
    from merge_log
),

current_merges as (
    select * from latest_merges
    where merge_rank = 1
),

chains (retired_customer_key, current_customer_key, hops) as (
    select
        retired_customer_key,
        surviving_customer_key,
        1
    from current_merges
    union all
    select
        chains.retired_customer_key,
        current_merges.surviving_customer_key,
        chains.hops + 1
    from chains
    inner join current_merges
        on chains.current_customer_key = current_merges.retired_customer_key
    where chains.hops < 100
),

resolved as (
    select
        retired_customer_key,
        current_customer_key,
        hops,
        row_number() over (partition by retired_customer_key order by hops desc) as hop_rank
    from chains
),

final as (
    select
        current_merges.retired_customer_key,
        current_merges.surviving_customer_key,
        resolved.current_customer_key,
        resolved.hops as merge_hops,
        current_merges.merged_at,
        current_merges.identifiers_moved
    from current_merges
    inner join resolved
        on
            current_merges.retired_customer_key = resolved.retired_customer_key
            and resolved.hop_rank = 1
)

select * from final
