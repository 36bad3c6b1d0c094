{{ config(materialized='view') }}

-- Markov credits of every conversion, one row per conversion x touch that earns credit: the
-- credit of the conversion goes to the distinct channel states of its path in proportion to
-- their removal effects (int_attribution__markov_removal_effects), evenly when all of them
-- are 0, and a state's share is split evenly among its touches. A conversion without touch
-- gives its credit to the no-touch state. Credits of one conversion sum to 1.
-- A view: fct_attribution_credits is its only reader and it has no test, so it is computed
-- once either way; as a table it also wrote its millions of rows every build (at 1M people
-- the two credit models and fct_attribution_credits took 16.7 s as tables, 13.8 s as views).

with

paths as (
    select * from {{ ref('int_attribution__conversion_paths') }}
),

removal_effects as (
    select * from {{ ref('int_attribution__markov_removal_effects') }}
),

states as (
    select
        paths.conversion_id,
        paths.markov_state,
        count(*) as state_touches,
        -- rounded to the 15 decimals of sum_exact: a lone state gets exactly 1
        cast(cast(
            coalesce(max(removal_effects.removal_effect), 0) as numeric(38, 15)
        ) as {{ parcours.type_double() }}) as removal_effect
    from paths
    left join removal_effects
        on paths.markov_state = removal_effects.markov_state
    group by paths.conversion_id, paths.markov_state
),

state_shares as (
    select
        conversion_id,
        markov_state,
        state_touches,
        case
            when {{ parcours.sum_exact('removal_effect', 'conversion_id') }} > 0
                then removal_effect / {{ parcours.sum_exact('removal_effect', 'conversion_id') }}
            else 1.0 / count(*) over (partition by conversion_id)
        end as state_share
    from states
),

final as (
    select
        paths.conversion_id,
        'markov' as attribution_model,
        paths.touchpoint_id,
        paths.touch_position,
        cast(state_shares.state_share / state_shares.state_touches as {{ parcours.type_double() }}) as credit
    from paths
    inner join state_shares
        on
            paths.conversion_id = state_shares.conversion_id
            and paths.markov_state = state_shares.markov_state
    where state_shares.state_share > 0
)

select * from final
