-- GA4 events that arrived later than the GA4 late-data policy allows: present in staging
-- but absent from the incremental int_web__sessionized_events, because their event_date
-- was older than the lookback window (late_data_lookback_days.ga4) when they were loaded.
-- They are reported here (and counted by fct_source_reconciliation), never silently lost;
-- a full refresh of the web models takes them in. Empty after a full refresh.

with

stg_events as (
    select * from {{ ref('stg_ga4__events') }}
),

sessionized_events as (
    select * from {{ ref('int_web__sessionized_events') }}
),

final as (
    select
        stg_events.event_id,
        stg_events.event_date,
        stg_events.event_at,
        stg_events.event_name,
        stg_events.user_pseudo_id,
        stg_events.source_file,
        stg_events.load_id,
        'ga4' as source,  -- noqa: RF04
        'events' as table_name,
        'late_beyond_policy' as reason_code,
        {{ dbt.concat([
            "'event_date older than the lookback of '",
            "'" ~ parcours.late_data_lookback_days('ga4') ~ "'",
            "' days when it arrived; a full refresh of the web models includes it'"
        ]) }} as reason_detail
    from stg_events
    left join sessionized_events
        on stg_events.event_id = sessionized_events.event_id
    where sessionized_events.event_id is null
)

select * from final
