-- The journey state of every resolved customer on each day its state may change, one row
-- per customer and candidate day: a day with a signal_type (int_journey__customer_signals) or a
-- day a window ends (a consideration signal_type leaving the var journey_consideration_window_days
-- window, the end of journey_post_purchase_days after a first purchase, the start of a
-- lapse journey_lapsed_inactivity_days after the last activity), up to the newest day of
-- data. On each day every state rule of the seed journey_stages is tested and the first in
-- evaluation_order that holds wins, with the day's first signal (null on a day a window
-- ends without one). Thresholds are vars of dbt_project.yml.

{%- set consideration_days = var('journey_consideration_window_days') %}
{%- set post_purchase_days = var('journey_post_purchase_days') %}
{%- set loyalty_days = var('journey_loyalty_window_days') %}
{%- set lapsed_days = var('journey_lapsed_inactivity_days') %}
{#- each state and the rule_checks condition under which it holds -#}
{%- set state_rules = [
    ('lapsed_customer', 'rule_checks.is_lapsed_customer'),
    ('advocate', 'rule_checks.is_advocate'),
    ('repeat_customer', 'rule_checks.is_repeat_customer'),
    ('new_customer', 'rule_checks.is_new_customer'),
    ('one_time_customer', 'rule_checks.has_purchased'),
    ('evaluating', 'not rule_checks.has_purchased and rule_checks.is_evaluating'),
    ('researching', 'not rule_checks.has_purchased and rule_checks.is_researching'),
    ('known_prospect', 'not rule_checks.has_purchased and rule_checks.is_identified'),
    ('anonymous_visitor', 'not rule_checks.has_purchased'),
] %}
{%- set state_orders_that_hold = [] %}
{%- for state, condition in state_rules %}
    {%- do state_orders_that_hold.append(
        'case when ' ~ condition ~ ' then stage_orders.' ~ state ~ '_order end'
    ) %}
{%- endfor %}

with

signals as {{ parcours.cte_not_materialized() }} (
    -- read four times, each for a few columns: inlined rather than buffered whole
    select * from {{ ref('int_journey__customer_signals') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

data_end as (
    select max(signal_date) as last_data_date
    from signals
    where signal_type not in ('prior_purchase', 'prior_advocacy')
),

purchase_days as (
    -- the CRM's last purchase (crm_purchase) is the same purchase as one seen that day
    select
        customer_key,
        signal_date as purchase_date,
        sum(case when signal_type = 'prior_purchase' then signal_count else 0 end)
        + greatest(
            sum(case when signal_type = 'purchase' then signal_count else 0 end),
            sum(case when signal_type = 'crm_purchase' then signal_count else 0 end)
        ) as purchase_count
    from signals
    where signal_type in ('purchase', 'prior_purchase', 'crm_purchase')
    group by customer_key, signal_date
),

repeat_purchase_days as (
    -- a purchase within journey_loyalty_window_days of the previous one (or two on one day)
    select
        customer_key,
        purchase_date
    from (
        select
            customer_key,
            purchase_date,
            purchase_count,
            lag(purchase_date)
                over (partition by customer_key order by purchase_date)
                as previous_purchase_date
        from purchase_days
    ) as sequenced
    where
        purchase_count >= 2
        or previous_purchase_date
        >= {{ dbt.dateadd('day', -loyalty_days, 'purchase_date') }}
),

first_purchases as (
    select
        customer_key,
        min(purchase_date) as first_purchase_date
    from purchase_days
    group by customer_key
),

advocacy_days as (
    -- a promoter answer or positive mention on or after the first purchase
    select
        signals.customer_key,
        signals.signal_date as advocacy_date
    from signals
    inner join first_purchases
        on signals.customer_key = first_purchases.customer_key
    where
        signals.signal_type in ('promoter_answer', 'positive_mention', 'prior_advocacy')
        and signals.signal_date >= first_purchases.first_purchase_date
),

first_repeat_purchases as (
    select
        customer_key,
        min(purchase_date) as loyalty_date
    from repeat_purchase_days
    group by customer_key
),

first_advocacy as (
    select
        customer_key,
        min(advocacy_date) as advocacy_date
    from advocacy_days
    group by customer_key
),

milestones as (
    select
        first_purchases.customer_key,
        first_purchases.first_purchase_date,
        first_repeat_purchases.loyalty_date,
        first_advocacy.advocacy_date
    from first_purchases
    left join first_repeat_purchases
        on first_purchases.customer_key = first_repeat_purchases.customer_key
    left join first_advocacy
        on first_purchases.customer_key = first_advocacy.customer_key
),

signal_days as (
    -- one row per customer and day with signals: what the rules add up or look back for
    select
        customer_key,
        signal_date,
        sum(case when signal_type = 'product_view' then signal_count else 0 end) as product_views,
        sum(case when signal_type = 'add_to_cart' then signal_count else 0 end) as carts,
        max(case when signal_type in ('product_view', 'add_to_cart') then 1 else 0 end) as has_consideration,
        max(case when signal_type in ('purchase', 'crm_purchase') then 1 else 0 end) as has_purchase_in_data,
        max(case when signal_type in ('purchase', 'prior_purchase', 'crm_purchase') then 1 else 0 end)
            as has_purchase,
        max(
            case
                when signal_type in ('activity', 'purchase', 'prior_purchase', 'crm_purchase') then 1
                else 0
            end
        ) as has_activity,
        max(case when signal_type = 'prior_purchase' then 1 else 0 end) as has_prior_purchase,
        max(case when signal_type = 'identified' then 1 else 0 end) as is_identified,
        min(first_signal_at) as first_signal_at
    from signals
    group by customer_key, signal_date
),

candidate_days as (
    -- the signal days (distinct already) and the days a window ends after them
    select
        customer_key,
        signal_date as state_date
    from signal_days
    union
    select
        customer_key, {{ dbt.dateadd('day', consideration_days, 'signal_date') }} as state_date
    from signal_days
    where has_consideration = 1
    union
    select
        customer_key, {{ dbt.dateadd('day', post_purchase_days, 'signal_date') }} as state_date
    from signal_days
    where has_purchase_in_data = 1
    union
    select
        customer_key, {{ dbt.dateadd('day', lapsed_days, 'signal_date') }} as state_date
    from signal_days
    where has_activity = 1
),

bounded_days as (
    select
        candidate_days.customer_key,
        cast(candidate_days.state_date as date) as state_date
    from candidate_days
    cross join data_end
    where candidate_days.state_date <= data_end.last_data_date
),

day_facts as (
    -- every signal day is a candidate day, so running windows over the candidate days see
    -- every signal up to each day (a join of each day to all earlier signals made 9 times
    -- as many rows at 1M customers)
    select
        bounded_days.customer_key,
        bounded_days.state_date,
        {{ dbt.datediff(
            "cast('1970-01-01' as date)", 'bounded_days.state_date', 'day'
        ) }} as day_number,
        coalesce(signal_days.product_views, 0) as product_views,
        coalesce(signal_days.carts, 0) as carts,
        case when signal_days.has_purchase = 1 then bounded_days.state_date end as purchase_date,
        case when signal_days.has_activity = 1 then bounded_days.state_date end as activity_date,
        coalesce(signal_days.has_prior_purchase, 0) as has_prior_purchase,
        coalesce(signal_days.is_identified, 0) as is_identified,
        signal_days.first_signal_at
    from bounded_days
    left join signal_days
        on
            bounded_days.customer_key = signal_days.customer_key
            and bounded_days.state_date = signal_days.signal_date
),

facts_by_day as (
    select
        customer_key,
        state_date,
        first_signal_at,
        sum(product_views) over (
            partition by customer_key order by day_number
            range between {{ consideration_days - 1 }} preceding and current row
        ) as recent_product_views,
        sum(carts) over (
            partition by customer_key order by day_number
            range between {{ consideration_days - 1 }} preceding and current row
        ) as recent_carts,
        max(purchase_date) over (
            partition by customer_key order by day_number
            rows between unbounded preceding and current row
        ) as last_purchase_date,
        max(activity_date) over (
            partition by customer_key order by day_number
            rows between unbounded preceding and current row
        ) as last_activity_date,
        max(has_prior_purchase) over (
            partition by customer_key order by day_number
            rows between unbounded preceding and current row
        ) = 1 as has_prior_purchase,
        max(is_identified) over (
            partition by customer_key order by day_number
            rows between unbounded preceding and current row
        ) = 1 as is_identified
    from day_facts
),

rule_checks as (
    select
        facts_by_day.customer_key,
        facts_by_day.state_date,
        facts_by_day.first_signal_at,
        facts_by_day.last_purchase_date is not null as has_purchased,
        facts_by_day.last_purchase_date is not null
        and facts_by_day.last_activity_date
        <= {{ dbt.dateadd('day', -lapsed_days, 'facts_by_day.state_date') }}
        and facts_by_day.last_purchase_date
        <= {{ dbt.dateadd('day', -lapsed_days, 'facts_by_day.state_date') }}
            as is_lapsed_customer,
        coalesce(milestones.advocacy_date <= facts_by_day.state_date, false) as is_advocate,
        coalesce(milestones.loyalty_date <= facts_by_day.state_date, false) as is_repeat_customer,
        facts_by_day.last_purchase_date is not null
        and not facts_by_day.has_prior_purchase
        and milestones.first_purchase_date
        > {{ dbt.dateadd('day', -post_purchase_days, 'facts_by_day.state_date') }}
            as is_new_customer,
        facts_by_day.recent_carts > 0
        and {{ 'true' if var('journey_consideration_counts_cart') else 'false' }}
            as is_evaluating,
        facts_by_day.recent_product_views
        >= {{ var('journey_consideration_min_product_views') }} as is_researching,
        facts_by_day.is_identified
    from facts_by_day
    left join milestones
        on facts_by_day.customer_key = milestones.customer_key
),

stage_orders as (
    -- the seed's evaluation order of each state, as one row (evaluation_order is unique)
    select
    {%- for state, _ in state_rules %}
        min(case when journey_state = '{{ state }}' then evaluation_order end) as {{ state }}_order
        {{- ',' if not loop.last }}
    {%- endfor %}
    from journey_stages
),

first_states as (
    -- of the states whose rule holds, the first in evaluation order (a state missing from the
    -- seed never wins); picked per row, not ranked over one row per state that holds
    select
        rule_checks.customer_key,
        rule_checks.state_date,
        rule_checks.first_signal_at,
        {{ parcours.least_ignore_nulls(state_orders_that_hold) }} as first_order
    from rule_checks
    cross join stage_orders
),

final as (
    select
        first_states.customer_key,
        first_states.state_date,
        case first_states.first_order
            {%- for state, _ in state_rules %}
            when stage_orders.{{ state }}_order then '{{ state }}'
            {%- endfor %}
        end as journey_state,
        first_states.first_signal_at
    from first_states
    cross join stage_orders
    where first_states.first_order is not null
)

select * from final
