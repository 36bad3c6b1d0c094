-- One row per GA4 cookie (user_pseudo_id) and user_id it sent (null: the cookie's events
-- without a login), with its first event and whether analytics storage was granted on any
-- of those events. The one pass over the GA4 events that identity needs:
-- int_identity__records (cookies) and int_identity__observations (cookie and login
-- identifiers) aggregate it further instead of each re-reading the events.

with

ga4_events as (
    select * from {{ ref('stg_ga4__events') }}
),

final as (
    select
        user_pseudo_id,
        user_id,
        min(event_at) as first_event_at,
        -- a cookie set while analytics storage was refused: GA4 gives a new one per session
        {{ dbt.bool_or('coalesce(has_analytics_consent, true)') }} as has_consent
    from ga4_events
    group by user_pseudo_id, user_id
)

select * from final
