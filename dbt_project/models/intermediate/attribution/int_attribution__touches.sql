-- The touchpoints that can earn attribution credit: the types of var
-- attribution_touchpoint_types (a web session once, not its key events; store purchases and
-- returns are conversions or their aftermath, not touches). Each touch carries the key it is
-- matched to conversions on (path_key): the customer_key, or, for a touch of no resolved
-- customer, its identity record (an unstitched or no-consent GA4 cookie still explains the
-- order placed from that cookie). channel_group is GA4's default channel group for web
-- sessions and the channel itself for the other channels; markov_state names the state of
-- the Markov chain ('web / <channel group>' for the web, else the channel).

{%- set direct_groups = var('attribution_direct_channel_groups') %}
{%- set record_key = dbt.concat([
    'eligible.record_source', "':'", 'eligible.record_type', "':'", 'eligible.record_id'
]) %}

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

eligible as (
    select *
    from touchpoints
    where touchpoint_type in ({{ parcours.sql_string_list(var('attribution_touchpoint_types')) }})
),

final as (
    select
        eligible.touchpoint_id,
        coalesce(eligible.customer_key, {{ record_key }}) as path_key,
        eligible.customer_key,
        eligible.touchpoint_at,
        eligible.touchpoint_type,
        eligible.channel,
        case
            when eligible.channel = 'web' then coalesce(eligible.sub_channel, 'Unassigned')
            else eligible.channel
        end as channel_group,
        case
            when eligible.channel = 'web'
                then {{ dbt.concat(["'web / '", "coalesce(eligible.sub_channel, 'Unassigned')"]) }}
            else eligible.channel
        end as markov_state,
        eligible.campaign,
        sessions.session_content as content,  -- noqa: RF04
        eligible.channel = 'web'
        and coalesce(eligible.sub_channel, 'Unassigned') in ({{ parcours.sql_string_list(direct_groups) }})
            as is_direct
    from eligible
    left join sessions
        on eligible.session_key = sessions.session_key
)

select * from final
