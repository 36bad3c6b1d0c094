-- Every journey stage transition of every resolved customer, one row per customer and
-- stage period: the state entered on valid_from (the first day of int_journey__customer_states
-- with a new state), its funnel stage, buying-cycle position and buying process phase (seed
-- journey_stages), the state it came from (a Sankey diagram reads previous -> current), and
-- the time spent in it (up to the newest day of data for the current one).

with

states as (
    select * from {{ ref('int_journey__customer_states') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

data_end as (
    select max(state_date) as last_data_date from states
),

sequenced as (
    select
        customer_key,
        state_date,
        journey_state,
        first_signal_at,
        lag(journey_state) over (partition by customer_key order by state_date) as previous_journey_state
    from states
),

transitions as (
    select
        customer_key,
        state_date as valid_from,
        journey_state,
        previous_journey_state,
        first_signal_at,
        -- one window specification: both computed on one sort
        lead(state_date) over (partition by customer_key order by state_date) as valid_to,
        row_number() over (partition by customer_key order by state_date) as transition_number
    from sequenced
    where previous_journey_state is null or previous_journey_state != journey_state
),

final as (
    select
        {{ parcours.surrogate_key(['transitions.customer_key', 'transitions.valid_from']) }}
            as stage_period_key,
        transitions.customer_key,
        transitions.valid_from,
        transitions.valid_to,
        coalesce(transitions.first_signal_at, cast(transitions.valid_from as {{ dbt.type_timestamp() }}))
            as transitioned_at,
        transitions.transition_number,
        transitions.journey_state,
        current_stage.funnel_stage,
        current_stage.funnel_stage_order,
        current_stage.buying_cycle_position,
        current_stage.buying_process_phase,
        transitions.previous_journey_state,
        previous_stage.funnel_stage as previous_funnel_stage,
        previous_stage.buying_cycle_position as previous_buying_cycle_position,
        coalesce(previous_stage.funnel_stage, 'entry') as sankey_source,
        current_stage.funnel_stage as sankey_target,
        transitions.valid_to is null as is_current,
        cast({{ dbt.datediff(
            'transitions.valid_from',
            'coalesce(transitions.valid_to, ' ~ dbt.dateadd('day', 1, 'data_end.last_data_date') ~ ')',
            'day'
        ) }} as integer) as days_in_stage
    from transitions
    cross join data_end
    inner join journey_stages as current_stage
        on transitions.journey_state = current_stage.journey_state
    left join journey_stages as previous_stage
        on transitions.previous_journey_state = previous_stage.journey_state
)

select * from final
