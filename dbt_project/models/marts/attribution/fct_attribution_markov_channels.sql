-- The data-driven (Markov) view of every channel state: its removal effect from the exact
-- absorbing-chain solution, the share of all conversions it is credited with, the
-- bootstrap interval of that share, and its attributed conversions and revenue (sums of
-- the markov credits of fct_attribution_credits).

with

removal_effects as (
    select * from {{ ref('int_attribution__markov_removal_effects') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
    where attribution_model = 'markov'
),

paths as (
    select * from {{ ref('int_attribution__conversion_paths') }}
),

touches as (
    select * from {{ ref('int_attribution__touches') }}
),

state_channels as (
    select
        markov_state,
        channel,
        channel_group
    from touches
    union all
    select
        markov_state,
        channel,
        channel_group
    from paths
),

states as (
    select
        markov_state,
        min(channel) as channel,
        min(channel_group) as channel_group
    from state_channels
    group by markov_state
),

attributed as (
    select
        markov_state,
        {{ parcours.sum_exact('credit') }} as attributed_conversions,
        {{ parcours.sum_exact('revenue_credit') }} as attributed_revenue
    from credits
    group by markov_state
),

totals as (
    select {{ parcours.sum_exact('credit') }} as conversions
    from credits
),

final as (
    select
        removal_effects.markov_state,
        states.channel,
        states.channel_group,
        cast(removal_effects.removal_effect as {{ parcours.type_double() }}) as removal_effect,
        cast(
            case
                when totals.conversions > 0
                    then coalesce(attributed.attributed_conversions, 0) / totals.conversions
            end as {{ parcours.type_double() }}
        ) as credit_share,
        cast(removal_effects.credit_share_ci_low as {{ parcours.type_double() }}) as credit_share_ci_low,
        cast(removal_effects.credit_share_ci_high as {{ parcours.type_double() }}) as credit_share_ci_high,
        cast(removal_effects.credit_share as {{ parcours.type_double() }}) as solver_credit_share,
        cast(
            coalesce(attributed.attributed_conversions, 0)
            as {{ parcours.type_double() }}
        ) as attributed_conversions,
        cast(
            coalesce(attributed.attributed_revenue, 0)
            as {{ parcours.type_double() }}
        ) as attributed_revenue,
        cast(
            removal_effects.conversion_probability
            as {{ parcours.type_double() }}
        ) as conversion_probability,
        cast(removal_effects.bootstrap_resamples as integer) as bootstrap_resamples
    from removal_effects
    inner join states
        on removal_effects.markov_state = states.markov_state
    left join attributed
        on removal_effects.markov_state = attributed.markov_state
    cross join totals
)

select * from final
