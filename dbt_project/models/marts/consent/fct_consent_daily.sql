-- Consent coverage per day, channel (email, sms, analytics, ads) and region: people known to
-- the CRM by that day, those consenting that day, and the day's grants and withdrawals, from
-- the consent periods of int_consent__customer_periods (see there what the CRM's latest-state
-- export lets us rebuild). Coverage = consented_customers / known_customers; counts of people
-- are additive across regions and channels of a day, not across days (use one day, e.g. the
-- last of a week, for a weekly trend); grants and withdrawals add up over days.

with

periods as (
    select * from {{ ref('int_consent__customer_periods') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

people as (
    select
        periods.consent_channel,
        periods.known_on,
        coalesce(customers.region, 'unknown') as region,
        case
            when periods.withdrawn_on is null or periods.granted_on < periods.withdrawn_on
                then periods.granted_on
        end as granted_on,
        case when periods.granted_on < periods.withdrawn_on then periods.withdrawn_on end as withdrawn_on
    from periods
    left join customers
        on periods.customer_key = customers.customer_key
),

events as (
    select
        consent_channel,
        region,
        known_on as event_date,
        1 as known_delta,
        0 as consented_delta,
        0 as grants,  -- noqa: RF04
        0 as withdrawals
    from people
    union all
    select
        consent_channel,
        region,
        granted_on as event_date,
        0 as known_delta,
        1 as consented_delta,
        1 as grants,  -- noqa: RF04
        0 as withdrawals
    from people
    where granted_on is not null
    union all
    select
        consent_channel,
        region,
        withdrawn_on as event_date,
        0 as known_delta,
        -1 as consented_delta,
        0 as grants,  -- noqa: RF04
        1 as withdrawals
    from people
    where withdrawn_on is not null
),

daily_events as (
    select
        consent_channel,
        region,
        event_date,
        cast(sum(known_delta) as {{ dbt.type_bigint() }}) as known_delta,
        cast(sum(consented_delta) as {{ dbt.type_bigint() }}) as consented_delta,
        cast(sum(grants) as {{ dbt.type_bigint() }}) as grants,  -- noqa: RF04
        cast(sum(withdrawals) as {{ dbt.type_bigint() }}) as withdrawals
    from events
    group by consent_channel, region, event_date
),

bounds as (
    select
        min(event_date) as first_day,
        max(event_date) as last_day
    from events
),

spine as (
    select date_day from ({{ parcours.day_spine(
        '(select first_day from bounds)', '(select last_day from bounds)'
    ) }}) as report_days
),

slices as (
    select distinct
        consent_channel,
        region
    from people
),

filled as (
    select
        spine.date_day,
        slices.consent_channel,
        slices.region,
        coalesce(daily_events.known_delta, 0) as known_delta,
        coalesce(daily_events.consented_delta, 0) as consented_delta,
        coalesce(daily_events.grants, 0) as grants,  -- noqa: RF04
        coalesce(daily_events.withdrawals, 0) as withdrawals
    from spine
    cross join slices
    left join daily_events
        on
            spine.date_day = daily_events.event_date
            and slices.consent_channel = daily_events.consent_channel
            and slices.region = daily_events.region
),

final as (
    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        consent_channel,
        region,
        cast(sum(known_delta) over (
            partition by consent_channel, region
            order by date_day
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as known_customers,
        cast(sum(consented_delta) over (
            partition by consent_channel, region
            order by date_day
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as consented_customers,
        grants,
        withdrawals
    from filled
)

select * from final
