-- The first day each customer reached each funnel stage, one row per customer and stage
-- reached, with the next (higher) funnel stage reached and when. Stages are entered
-- directly (a period of int_funnel__stage_periods) or implied: every customer is aware from
-- their first period, and a customer entering loyalty, advocacy or lapsed without a
-- conversion period of their own (two purchases on the first day) converted that day.
-- Consideration is never implied: buying without researching first is allowed. The next
-- stage of awareness ... advocacy is the first of the higher stages up to advocacy entered on
-- or after the entry; that of lapsed is the first period after the lapse (reactivation).

with

periods as (
    select * from {{ ref('int_funnel__stage_periods') }}
),

direct_entries as (
    select
        customer_key,
        funnel_stage,
        funnel_stage_order,
        started_on,
        true as is_direct_entry
    from periods
),

implied_entries as (
    select
        customer_key,
        'awareness' as funnel_stage,
        1 as funnel_stage_order,
        min(started_on) as started_on,
        false as is_direct_entry
    from periods
    group by customer_key
    union all
    select
        customer_key,
        'conversion' as funnel_stage,
        3 as funnel_stage_order,
        min(started_on) as started_on,
        false as is_direct_entry
    from periods
    where funnel_stage_order >= 3
    group by customer_key
),

candidates as (
    select * from direct_entries
    union all
    select * from implied_entries
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_key, funnel_stage
            order by started_on, case when is_direct_entry then 0 else 1 end
        ) as entry_rank
    from candidates
),

entries as (
    select
        customer_key,
        funnel_stage,
        funnel_stage_order,
        started_on as entered_on,
        is_direct_entry
    from ranked
    where entry_rank = 1
),

next_higher_stages as (
    select
        entries.customer_key,
        entries.funnel_stage,
        later.funnel_stage as next_funnel_stage,
        later.entered_on as next_stage_entered_on,
        row_number() over (
            partition by entries.customer_key, entries.funnel_stage
            order by later.entered_on, later.funnel_stage_order
        ) as next_rank
    from entries
    inner join entries as later
        on
            entries.customer_key = later.customer_key
            and entries.funnel_stage_order < later.funnel_stage_order
            and later.funnel_stage != 'lapsed'
            and entries.entered_on <= later.entered_on
    where entries.funnel_stage != 'lapsed'
),

reactivations as (
    select
        customer_key,
        next_funnel_stage,
        funnel_stage,
        lead(started_on) over (partition by customer_key order by period_number) as next_stage_entered_on,
        row_number() over (partition by customer_key, funnel_stage order by period_number) as lapse_rank
    from periods
),

final as (
    select
        entries.customer_key,
        entries.funnel_stage,
        entries.funnel_stage_order,
        entries.entered_on,
        entries.is_direct_entry,
        coalesce(next_higher_stages.next_funnel_stage, reactivations.next_funnel_stage) as next_funnel_stage,
        coalesce(next_higher_stages.next_stage_entered_on, reactivations.next_stage_entered_on)
            as next_stage_entered_on
    from entries
    left join next_higher_stages
        on
            entries.customer_key = next_higher_stages.customer_key
            and entries.funnel_stage = next_higher_stages.funnel_stage
            and next_higher_stages.next_rank = 1
    left join reactivations
        on
            entries.customer_key = reactivations.customer_key
            and entries.funnel_stage = reactivations.funnel_stage
            and entries.funnel_stage = 'lapsed'
            and reactivations.lapse_rank = 1
)

select * from final
