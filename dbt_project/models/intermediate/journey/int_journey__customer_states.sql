-- The journey state of every resolved customer on each day its state may change, one row
-- per customer and candidate day: a day with a signal_type (int_journey__customer_signals) or a
-- day a window ends (a consideration signal_type leaving the var journey_consideration_window_days
-- window, the end of journey_post_purchase_days after a first purchase, the start of a
-- lapse journey_lapsed_inactivity_days after the last activity), up to the newest day of
-- data. On each day every state rule of the seed journey_stages is tested and the first in
-- evaluation_order that holds wins. Thresholds are vars of dbt_project.yml.

{%- set consideration_days = var('journey_consideration_window_days') %}
{%- set post_purchase_days = var('journey_post_purchase_days') %}
{%- set loyalty_days = var('journey_loyalty_window_days') %}
{%- set lapsed_days = var('journey_lapsed_inactivity_days') %}

with

signals as (
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

candidate_days as (
    select
        customer_key,
        signal_date as state_date
    from signals
    union
    select
        customer_key, {{ dbt.dateadd('day', consideration_days, 'signal_date') }} as state_date
    from signals
    where signal_type in ('product_view', 'add_to_cart')
    union
    select
        customer_key, {{ dbt.dateadd('day', post_purchase_days, 'signal_date') }} as state_date
    from signals
    where signal_type in ('purchase', 'crm_purchase')
    union
    select
        customer_key, {{ dbt.dateadd('day', lapsed_days, 'signal_date') }} as state_date
    from signals
    where signal_type in ('activity', 'purchase', 'prior_purchase', 'crm_purchase')
),

bounded_days as (
    select
        candidate_days.customer_key,
        cast(candidate_days.state_date as date) as state_date
    from candidate_days
    cross join data_end
    where candidate_days.state_date <= data_end.last_data_date
),

facts_by_day as (
    select
        bounded_days.customer_key,
        bounded_days.state_date,
        sum(case
            when
                signals.signal_type = 'product_view'
                and signals.signal_date
                > {{ dbt.dateadd('day', -consideration_days, 'bounded_days.state_date') }}
                then signals.signal_count
            else 0
        end) as recent_product_views,
        sum(case
            when
                signals.signal_type = 'add_to_cart'
                and signals.signal_date
                > {{ dbt.dateadd('day', -consideration_days, 'bounded_days.state_date') }}
                then signals.signal_count
            else 0
        end) as recent_carts,
        max(
            case
                when signals.signal_type in ('purchase', 'prior_purchase', 'crm_purchase')
                    then signals.signal_date
            end
        )
            as last_purchase_date,
        max(
            case
                when
                    signals.signal_type in ('activity', 'purchase', 'prior_purchase', 'crm_purchase')
                    then signals.signal_date
            end
        )
            as last_activity_date,
        max(case when signals.signal_type = 'prior_purchase' then 1 else 0 end) = 1 as has_prior_purchase,
        max(case when signals.signal_type = 'identified' then 1 else 0 end) = 1 as is_identified
    from bounded_days
    inner join signals
        on
            bounded_days.customer_key = signals.customer_key
            and bounded_days.state_date >= signals.signal_date
    group by bounded_days.customer_key, bounded_days.state_date
),

rule_checks as (
    select
        facts_by_day.customer_key,
        facts_by_day.state_date,
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

states_that_hold as (
    {%- for state, condition in [
        ('lapsed_customer', 'is_lapsed_customer'),
        ('advocate', 'is_advocate'),
        ('repeat_customer', 'is_repeat_customer'),
        ('new_customer', 'is_new_customer'),
        ('one_time_customer', 'has_purchased'),
        ('evaluating', 'not has_purchased and is_evaluating'),
        ('researching', 'not has_purchased and is_researching'),
        ('known_prospect', 'not has_purchased and is_identified'),
        ('anonymous_visitor', 'not has_purchased'),
    ] %}
    select
        customer_key,
        state_date,
        '{{ state }}' as journey_state
    from rule_checks
    where {{ condition }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

ranked_states as (
    select
        states_that_hold.customer_key,
        states_that_hold.state_date,
        states_that_hold.journey_state,
        row_number() over (
            partition by states_that_hold.customer_key, states_that_hold.state_date
            order by journey_stages.evaluation_order
        ) as state_rank
    from states_that_hold
    inner join journey_stages
        on states_that_hold.journey_state = journey_stages.journey_state
),

final as (
    select
        customer_key,
        state_date,
        journey_state
    from ranked_states
    where state_rank = 1
)

select * from final
