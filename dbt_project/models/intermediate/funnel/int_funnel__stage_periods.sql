-- Funnel-stage periods of every customer, one row per customer and uninterrupted stretch in
-- one funnel stage: consecutive journey states of fct_customer_stage_history that map to the
-- same funnel stage (researching then evaluating are one consideration period) are merged.
-- With the funnel stage before and after it (null at the ends) and the days spent in it (up
-- to the newest day of data for the current one).

with

stage_history as (
    select * from {{ ref('fct_customer_stage_history') }}
),

flagged as (
    select
        customer_key,
        valid_from,
        valid_to,
        funnel_stage,
        funnel_stage_order,
        days_in_stage,
        case
            when
                lag(funnel_stage) over (partition by customer_key order by valid_from) = funnel_stage
                then 0
            else 1
        end as starts_period
    from stage_history
),

numbered as (
    select
        *,
        sum(starts_period) over (
            partition by customer_key order by valid_from rows between unbounded preceding and current row
        ) as period_number
    from flagged
),

periods as (
    select
        customer_key,
        period_number,
        funnel_stage,
        funnel_stage_order,
        min(valid_from) as started_on,
        max(valid_to) as last_valid_to,
        sum(case when valid_to is null then 1 else 0 end) > 0 as is_current,
        sum(days_in_stage) as days_in_stage
    from numbered
    group by customer_key, period_number, funnel_stage, funnel_stage_order
),

final as (
    select
        customer_key,
        cast(period_number as integer) as period_number,
        funnel_stage,
        cast(funnel_stage_order as integer) as funnel_stage_order,
        started_on,
        is_current,
        cast(days_in_stage as integer) as days_in_stage,
        case when is_current then null else last_valid_to end as ended_on,
        lag(funnel_stage) over (partition by customer_key order by period_number) as previous_funnel_stage,
        lag(days_in_stage) over (partition by customer_key order by period_number) as previous_days_in_stage,
        lead(funnel_stage) over (partition by customer_key order by period_number) as next_funnel_stage
    from periods
)

select * from final
