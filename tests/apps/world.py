# ruff: noqa: E501  (rows of test data read best one per line)
"""A small, hand-made published snapshot: the core marts and the KPI marts of MART_CONTRACT.md.

The rows are test data written for the app's tests (few enough to check by hand); they are
published with the real :func:`parcours.serving.publish_snapshot`, exactly as a pipeline run does.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from parcours.paths import DataDir
from parcours.serving import Snapshot, publish_snapshot

CORE_MARTS = (
    "dim_customers",
    "fct_customer_stage_history",
    "fct_touchpoints",
    "fct_orders",
    "bridge_customer_identifiers",
    "fct_identity_merges",
    "fct_source_reconciliation",
)

# Loyalty card and e-mail of customer c1 as the sources hold them (the e-mail only as a hash).
C1_LOYALTY_CARD = "LC-0000123456"
C1_EMAIL = "Alice.Martin@Example.com"

# One row per customer and funnel stage reached, as the stage history above says (c1 entered at
# consideration, c4 at conversion: direct entries).
STAGE_ENTRIES = """
    select customer_key, funnel_stage, stage_order, entered_on,
           date_trunc('week', entered_on)::date as week_start, date_trunc('month', entered_on)::date as month_start,
           is_direct_entry, next_funnel_stage, next_stage_entered_on,
           datediff('day', entered_on, next_stage_entered_on)::integer as days_to_next_stage,
           acquisition_channel, acquisition_channel_group, region, store_id, business_unit, rfm_segment,
           behaviour_segment
    from (values
      ('c1', 'consideration', 2, date '2026-02-20', true, 'conversion', date '2026-03-01', 'web', 'Organic Search',
       'north', 'S1', 'city', 'champion', 'omnichannel_buyer'),
      ('c1', 'conversion', 3, date '2026-03-01', false, 'loyalty', date '2026-03-06', 'web', 'Organic Search',
       'north', 'S1', 'city', 'champion', 'omnichannel_buyer'),
      ('c1', 'loyalty', 4, date '2026-03-06', false, null, null, 'web', 'Organic Search',
       'north', 'S1', 'city', 'champion', 'omnichannel_buyer'),
      ('c2', 'awareness', 1, date '2026-03-02', false, 'conversion', date '2026-03-04', 'email', 'email',
       'north', null, null, 'recent', 'online_shopper'),
      ('c2', 'conversion', 3, date '2026-03-04', false, null, null, 'email', 'email',
       'north', null, null, 'recent', 'online_shopper'),
      ('c3', 'awareness', 1, date '2026-03-05', false, 'consideration', date '2026-03-09', 'web', 'Paid Social',
       'south', null, null, 'prospect', 'web_browser'),
      ('c3', 'consideration', 2, date '2026-03-09', false, null, null, 'web', 'Paid Social',
       'south', null, null, 'prospect', 'web_browser'),
      ('c4', 'conversion', 3, date '2026-02-25', true, 'advocacy', date '2026-03-03', 'store', 'store',
       'south', 'S2', 'outlet', 'loyal', 'store_shopper'),
      ('c4', 'advocacy', 5, date '2026-03-03', false, null, null, 'store', 'store',
       'south', 'S2', 'outlet', 'loyal', 'store_shopper')
    ) as t(customer_key, funnel_stage, stage_order, entered_on, is_direct_entry, next_funnel_stage,
           next_stage_entered_on, acquisition_channel, acquisition_channel_group, region, store_id,
           business_unit, rfm_segment, behaviour_segment)
"""

TABLES: dict[str, str] = {
    "dim_customers": """
        select * from (values
          ('c1', 'crm-1', 'north', 'champion', 'omnichannel_buyer', 'loyalty', 'customer', 'email', '25-34',
           3, 250.00, true, false, true, true, timestamp '2026-02-20 10:00', timestamp '2026-03-13 18:00'),
          ('c2', 'crm-2', 'north', 'recent', 'online_shopper', 'conversion', 'customer', 'sms', '35-44',
           1, 80.00, true, true, false, true, timestamp '2026-03-02 09:00', timestamp '2026-03-10 12:00'),
          ('c3', 'crm-3', 'south', 'prospect', 'web_browser', 'consideration', 'warm_prospect', null, null,
           0, 0.00, false, null, null, true, timestamp '2026-03-05 11:00', timestamp '2026-03-12 08:00'),
          ('c4', null, 'south', 'loyal', 'store_shopper', 'advocacy', 'ambassador', 'email', '55-64',
           2, 120.00, true, true, true, true, timestamp '2026-02-25 15:00', timestamp '2026-03-14 16:00')
        ) as t(customer_key, primary_contact_id, region, rfm_segment, behaviour_segment, current_funnel_stage,
               current_buying_cycle_position, preferred_channel, age_band, order_count, total_revenue,
               consent_email, consent_sms, consent_ads, consent_analytics, first_seen_at, last_seen_at)
    """,
    "fct_customer_stage_history": """
        select * from (values
          ('c1', date '2026-02-20', date '2026-03-01', 1, 'researching', 'consideration', 2, 'warm_prospect',
           'entry', 'consideration', 9),
          ('c1', date '2026-03-01', date '2026-03-06', 2, 'new_customer', 'conversion', 3, 'customer',
           'consideration', 'conversion', 5),
          ('c1', date '2026-03-06', null, 3, 'repeat_customer', 'loyalty', 4, 'customer',
           'conversion', 'loyalty', 8),
          ('c2', date '2026-03-02', date '2026-03-04', 1, 'known_prospect', 'awareness', 1, 'cold_prospect',
           'entry', 'awareness', 2),
          ('c2', date '2026-03-04', null, 2, 'new_customer', 'conversion', 3, 'customer',
           'awareness', 'conversion', 10),
          ('c3', date '2026-03-05', date '2026-03-09', 1, 'anonymous_visitor', 'awareness', 1, 'visitor',
           'entry', 'awareness', 4),
          ('c3', date '2026-03-09', null, 2, 'evaluating', 'consideration', 2, 'warm_prospect',
           'awareness', 'consideration', 5),
          ('c4', date '2026-02-25', date '2026-03-03', 1, 'new_customer', 'conversion', 3, 'customer',
           'entry', 'conversion', 6),
          ('c4', date '2026-03-03', null, 2, 'advocate', 'advocacy', 5, 'ambassador',
           'conversion', 'advocacy', 11)
        ) as t(customer_key, valid_from, valid_to, transition_number, journey_state, funnel_stage,
               funnel_stage_order, buying_cycle_position, sankey_source, sankey_target, days_in_stage)
    """,
    "fct_touchpoints": """
        select * from (values
          ('t1', 'c1', timestamp '2026-03-01 10:00', date '2026-03-01', 'web_session', 'web', 'organic_search',
           'spring_sale', null, 'north', null, null, 'ga4'),
          ('t2', 'c1', timestamp '2026-03-01 10:20', date '2026-03-01', 'online_purchase', 'web', 'organic_search',
           'spring_sale', null, 'north', null, 150.00, 'ga4'),
          ('t3', 'c1', timestamp '2026-03-07 12:00', date '2026-03-07', 'store_purchase', 'store', 'till',
           null, 'S1', 'north', null, 100.00, 'pos'),
          ('t4', 'c1', timestamp '2026-03-08 09:00', date '2026-03-08', 'survey_answer', 'survey', 'email_survey',
           null, null, 'north', 'positive', null, 'crm'),
          ('t5', 'c2', timestamp '2026-03-03 08:00', date '2026-03-03', 'email_click', 'email', 'newsletter',
           'spring_sale', null, 'north', null, null, 'crm'),
          ('t6', 'c2', timestamp '2026-03-04 19:00', date '2026-03-04', 'online_purchase', 'web', 'email',
           'spring_sale', null, 'north', null, 80.00, 'ga4'),
          ('t7', 'c3', timestamp '2026-03-05 11:00', date '2026-03-05', 'web_session', 'web', 'paid_social',
           'launch', null, 'south', null, null, 'ga4'),
          ('t8', 'c3', timestamp '2026-03-10 11:00', date '2026-03-10', 'mention', 'social', 'instagram',
           null, null, 'south', 'negative', null, 'social'),
          ('t9', 'c4', timestamp '2026-03-02 15:00', date '2026-03-02', 'store_purchase', 'store', 'till',
           null, 'S2', 'south', null, 120.00, 'pos'),
          ('t10', 'c4', timestamp '2026-03-14 16:00', date '2026-03-14', 'mention', 'social', 'instagram',
           null, null, 'south', 'positive', null, 'social')
        ) as t(touchpoint_id, customer_key, touchpoint_at, touchpoint_date, touchpoint_type, channel,
               sub_channel, campaign, store_id, region, sentiment, revenue, record_source)
    """,
    "fct_orders": """
        select * from (values
          ('o1', 'online', 'c1', timestamp '2026-03-01 10:20', date '2026-03-01', null, null, null, 'north', 150.00),
          ('o2', 'store', 'c1', timestamp '2026-03-07 12:00', date '2026-03-07', 'S1', 'Lille Centre', 'city',
           'north', 100.00),
          ('o3', 'online', 'c2', timestamp '2026-03-04 19:00', date '2026-03-04', null, null, null, 'north', 80.00),
          ('o4', 'store', 'c4', timestamp '2026-03-02 15:00', date '2026-03-02', 'S2', 'Marseille Port', 'outlet',
           'south', 120.00),
          ('o5', 'store', null, timestamp '2026-03-11 13:00', date '2026-03-11', 'S2', 'Marseille Port', 'outlet',
           'south', 40.00)
        ) as t(order_key, order_channel, customer_key, ordered_at, order_date, store_id, store_name,
               business_unit, region, net_revenue)
    """,
    "bridge_customer_identifiers": f"""
        select * from (values
          ('c1', 'crm', 'crm_contact_id', 'crm-1', 'linking', 1, timestamp '2026-02-20 10:00',
           timestamp '2026-03-13 18:00'),
          ('c1', 'crm', 'email_hash', '{{c1_email_hash}}', 'linking', 2, timestamp '2026-02-20 10:00',
           timestamp '2026-03-13 18:00'),
          ('c1', 'pos', 'loyalty_card_number', '{C1_LOYALTY_CARD}', 'linking', 1, timestamp '2026-03-07 12:00',
           timestamp '2026-03-07 12:00'),
          ('c1', 'ga4', 'ga4_user_pseudo_id', '1234567890.1700000000', 'linking', 3,
           timestamp '2026-02-20 10:00', timestamp '2026-03-01 10:20'),
          ('c4', 'social', 'social_handle', 'marseille_fan', 'linking', 2, timestamp '2026-03-03 09:00',
           timestamp '2026-03-12 16:00')
        ) as t(customer_key, source_system, identifier_type, identifier_value, link_status, record_count,
               first_seen_at, last_seen_at)
    """,
    "fct_identity_merges": """
        select * from (values
          ('c9', 'c1', 'c1', 1, timestamp '2026-03-07 13:00', 2::bigint)
        ) as t(retired_customer_key, surviving_customer_key, current_customer_key, merge_hops, merged_at,
               identifiers_moved)
    """,
    "fct_source_reconciliation": """
        select * from (values ('pos', 'orders', 5, 5, 0), ('crm', 'contacts', 4, 3, 1))
        as t(source, table_name, records_read, records_loaded, records_quarantined)
    """,
    # --- KPI marts of MART_CONTRACT.md ---
    "fct_kpi_daily": """
        with days as (
            select d::date as date_day, row_number() over (order by d) as n
            from range(date '2026-03-01', date '2026-03-15', interval 1 day) as r(d)
        ),
        kpis as (
            select * from (values
              ('customers', 'north', 'all'), ('active_customers', 'north', 'all'),
              ('new_customers', 'north', 'web'), ('new_customers', 'south', 'store'),
              ('revenue_online', 'north', 'web'), ('revenue_store', 'south', 'store'),
              ('conversion_rate', 'north', 'web'), ('cross_channel_share', 'north', 'all'),
              ('ropo_rate', 'north', 'web'), ('nps', 'north', 'survey'),
              ('newsletter_signups', 'north', 'email'), ('ad_click_through', 'north', 'social')
            ) as k(kpi_name, region, channel)
        )
        select days.date_day, kpis.kpi_name, kpis.region, kpis.channel,
               case kpis.kpi_name
                 when 'customers' then 100 + days.n
                 when 'active_customers' then 10 + days.n % 3
                 when 'new_customers' then case when days.n > 7 then 2 else 1 end
                 when 'revenue_online' then 100.0 * days.n
                 when 'revenue_store' then 50.0
                 when 'conversion_rate' then 2
                 when 'cross_channel_share' then 3
                 when 'ropo_rate' then 1
                 when 'nps' then 4
                 when 'newsletter_signups' then case when days.n > 7 then 3 else 2 end
                 else 5
               end::double as numerator,
               case kpis.kpi_name
                 when 'conversion_rate' then 50
                 when 'cross_channel_share' then 10
                 when 'ropo_rate' then 4
                 when 'nps' then 10
                 when 'ad_click_through' then 100
                 else 1
               end::double as denominator,
               date_trunc('week', days.date_day)::date as week_start,
               date_trunc('month', days.date_day)::date as month_start
        from days cross join kpis
    """,
    # --- funnel marts: the stage entries above, aggregated as the marts do ---
    "fct_funnel_stage_entries": STAGE_ENTRIES,
    "fct_funnel_daily": f"""
        select entered_on as date_day, funnel_stage, stage_order, acquisition_channel, region, store_id,
               business_unit, rfm_segment, behaviour_segment, week_start, month_start,
               count(*) as customers_entered, count(next_stage_entered_on) as customers_moved_on,
               coalesce(sum(days_to_next_stage), 0)::bigint as days_to_next_stage_sum
        from ({STAGE_ENTRIES}) as entries
        group by all
    """,
    "fct_stage_durations_daily": f"""
        select next_stage_entered_on as date_day, funnel_stage, stage_order, days_to_next_stage,
               acquisition_channel, region, store_id, business_unit, rfm_segment, behaviour_segment,
               date_trunc('week', next_stage_entered_on)::date as week_start,
               date_trunc('month', next_stage_entered_on)::date as month_start,
               count(*) as customers_moved_on
        from ({STAGE_ENTRIES}) as entries
        where days_to_next_stage is not null
        group by all
    """,
    "fct_stage_transitions": """
        select * from (values
          ('entry', 'consideration', date '2026-02-01', 'north', 'omnichannel_buyer', 0, 2, 1, 1, 0),
          ('entry', 'conversion', date '2026-02-01', 'south', 'store_shopper', 0, 3, 1, 1, 0),
          ('consideration', 'conversion', date '2026-03-01', 'north', 'omnichannel_buyer', 2, 3, 1, 1, 9),
          ('conversion', 'loyalty', date '2026-03-01', 'north', 'omnichannel_buyer', 3, 4, 1, 1, 5),
          ('entry', 'awareness', date '2026-03-01', 'north', 'online_shopper', 0, 1, 1, 1, 0),
          ('awareness', 'conversion', date '2026-03-01', 'north', 'online_shopper', 1, 3, 1, 1, 2),
          ('entry', 'awareness', date '2026-03-01', 'south', 'web_browser', 0, 1, 1, 1, 0),
          ('awareness', 'consideration', date '2026-03-01', 'south', 'web_browser', 1, 2, 1, 1, 4),
          ('conversion', 'advocacy', date '2026-03-01', 'south', 'store_shopper', 3, 5, 1, 1, 6)
        ) as t(from_stage, to_stage, month_start, region, behaviour_segment, from_stage_order, to_stage_order,
               transitions, customers, days_in_from_stage_sum)
    """,
    "fct_attribution_channel_summary": """
        select * from (values
          ('last_touch', 'web', 'Organic Search', 'spring_sale', 'online', date '2026-03-01', 'north', null, 2.0, 230.0),
          ('last_touch', 'store', 'store', null, 'store', date '2026-03-01', 'north', 'S1', 1.0, 100.0),
          ('last_touch', 'store', 'store', null, 'store', date '2026-03-01', 'south', 'S2', 1.0, 120.0),
          ('last_touch', '(none)', '(none)', null, 'store', date '2026-03-01', 'south', 'S2', 1.0, 40.0),
          ('linear', 'web', 'Organic Search', 'spring_sale', 'online', date '2026-03-01', 'north', null, 1.5, 190.0),
          ('linear', 'email', 'email', 'spring_sale', 'online', date '2026-03-01', 'north', null, 0.5, 40.0),
          ('linear', 'web', 'Organic Search', 'spring_sale', 'store', date '2026-03-01', 'north', 'S1', 0.5, 50.0),
          ('linear', 'store', 'store', null, 'store', date '2026-03-01', 'north', 'S1', 0.5, 50.0),
          ('linear', 'store', 'store', null, 'store', date '2026-03-01', 'south', 'S2', 1.0, 120.0),
          ('linear', '(none)', '(none)', null, 'store', date '2026-03-01', 'south', 'S2', 1.0, 40.0),
          ('markov', 'web', 'Organic Search', 'spring_sale', 'online', date '2026-03-01', 'north', null, 1.6, 200.0),
          ('markov', 'email', 'email', 'spring_sale', 'online', date '2026-03-01', 'north', null, 0.4, 30.0),
          ('markov', 'store', 'store', null, 'store', date '2026-03-01', 'south', 'S2', 2.0, 220.0),
          ('markov', '(none)', '(none)', null, 'store', date '2026-03-01', 'south', 'S2', 1.0, 40.0)
        ) as t(attribution_model, channel, channel_group, campaign, conversion_channel, month_start, region,
               store_id, conversions, revenue)
    """,
    "fct_attribution_markov_channels": """
        select markov_state, channel, channel_group, removal_effect::double as removal_effect,
               credit_share::double as credit_share, credit_share_ci_low::double as credit_share_ci_low,
               credit_share_ci_high::double as credit_share_ci_high,
               solver_credit_share::double as solver_credit_share,
               attributed_conversions::double as attributed_conversions,
               attributed_revenue::double as attributed_revenue,
               conversion_probability::double as conversion_probability, bootstrap_resamples
        from (values
          ('web / Organic Search', 'web', 'Organic Search', 0.40, 0.32, 0.26, 0.38, 0.32, 1.6, 200.0, 0.25, 200),
          ('email', 'email', 'email', 0.10, 0.08, 0.04, 0.12, 0.08, 0.4, 30.0, 0.25, 200),
          ('store', 'store', 'store', 0.50, 0.40, 0.35, 0.45, 0.40, 2.0, 220.0, 0.25, 200),
          ('(none)', '(none)', '(none)', null, 0.20, 0.18, 0.22, 0.20, 1.0, 40.0, 0.25, 200)
        ) as t(markov_state, channel, channel_group, removal_effect, credit_share, credit_share_ci_low,
               credit_share_ci_high, solver_credit_share, attributed_conversions, attributed_revenue,
               conversion_probability, bootstrap_resamples)
    """,
    "fct_ropo_weekly": """
        select * from (values
          (date '2026-02-23', 'north', 10, 2, 200.0, 8, 20, 1, 50.0, 5),
          (date '2026-03-02', 'north', 20, 3, 300.0, 9, 10, 2, 90.0, 6),
          (date '2026-03-09', 'north', 10, 1, 100.0, 4, 10, 0, 0.0, 7),
          (date '2026-03-02', 'south', 10, 4, 350.0, 12, 20, 3, 150.0, 2)
        ) as t(week_start, region, web_researchers, ropo_customers, ropo_revenue, store_buyers,
               store_visitors, showrooming_customers, showrooming_revenue, online_buyers)
    """,
    "fct_channel_mix_monthly": """
        select * from (values
          (date '2026-03-01', 'web', 'north', 'champion', 'omnichannel_buyer', 3, 1, 1, 150.0),
          (date '2026-03-01', 'store', 'north', 'champion', 'omnichannel_buyer', 1, 1, 1, 100.0),
          (date '2026-03-01', 'email', 'north', 'recent', 'online_shopper', 1, 1, 0, 0.0),
          (date '2026-03-01', 'social', 'south', 'loyal', 'store_shopper', 1, 1, 0, 0.0)
        ) as t(month_start, channel, region, rfm_segment, behaviour_segment, touchpoints, customers, orders,
               revenue)
    """,
    "fct_retention_cohorts": """
        select * from (values
          (date '2026-01-01', 0, 'north', 'web', 10, 10, 12, 500.0, 2),
          (date '2026-01-01', 1, 'north', 'web', 10, 4, 5, 200.0, 4),
          (date '2026-01-01', 2, 'north', 'web', 10, 3, 3, 150.0, 3),
          (date '2026-02-01', 0, 'south', 'store', 8, 8, 9, 400.0, 1),
          (date '2026-02-01', 1, 'south', 'store', 8, 2, 2, 90.0, 2)
        ) as t(cohort_month, months_since_first_order, region, acquisition_channel, cohort_customers,
               active_customers, orders, revenue, repeat_customers)
    """,
    "fct_customer_lifetime_value": """
        select * from (values
          ('c1', date '2026-03-01', timestamp '2026-03-01 10:20', timestamp '2026-03-07 12:00', 2, 250.00, 13,
           6.0, 'active', 'north', 'champion', 'omnichannel_buyer'),
          ('c2', date '2026-03-01', timestamp '2026-03-04 19:00', timestamp '2026-03-04 19:00', 1, 80.00, 10,
           null, 'active', 'north', 'recent', 'online_shopper'),
          ('c4', date '2026-03-01', timestamp '2026-03-02 15:00', timestamp '2026-03-02 15:00', 1, 120.00, 12,
           null, 'at_risk', 'south', 'loyal', 'store_shopper')
        ) as t(customer_key, cohort_month, first_order_at, last_order_at, order_count, historical_clv,
               tenure_days, avg_days_between_orders, churn_status, region, rfm_segment, behaviour_segment)
    """,
    "fct_segment_summary": """
        select * from (values
          ('persona', 'Busy parent', 'north', 2, 2, 4, 330.0, 2),
          ('persona', 'Bargain hunter', 'south', 2, 1, 2, 120.0, 1),
          ('rfm', 'champion', 'north', 1, 1, 3, 250.0, 1)
        ) as t(segment_type, segment, region, customers, customers_with_orders, orders, revenue,
               consent_email_customers)
    """,
    "fct_consent_daily": """
        select * from (values
          (date '2026-03-13', 'email', 'north', 2, 2, 0, 0),
          (date '2026-03-14', 'email', 'north', 2, 1, 0, 1),
          (date '2026-03-14', 'email', 'south', 2, 1, 1, 0),
          (date '2026-03-14', 'sms', 'north', 2, 1, 0, 0)
        ) as t(date_day, consent_channel, region, known_customers, consented_customers, grants, withdrawals)
    """,
    "fct_social_daily": """
        select * from (values
          (date '2026-03-10', 'instagram', 'Parcours', false, 'positive', 'north', 6, 6, 0, 0, 6000, 60),
          (date '2026-03-10', 'instagram', 'Parcours', false, 'negative', 'south', 2, 0, 2, 0, 1000, 4),
          (date '2026-03-11', 'x', 'Parcours', false, 'neutral', 'north', 2, 0, 0, 2, 500, 1),
          (date '2026-03-11', 'x', 'Rival', true, 'positive', 'north', 5, 5, 0, 0, 9000, 30),
          (date '2026-03-12', 'instagram', 'Rival', true, 'negative', 'south', 5, 0, 5, 0, 2000, 8)
        ) as t(date_day, platform, brand, is_competitor, sentiment, region, mentions, positive, negative,
               neutral, potential_reach, engagements)
    """,
    "fct_social_topics": """
        select * from (values
          (date '2026-03-10', 'instagram', 'Parcours', 'product', 'fit', 'positive', 4),
          (date '2026-03-10', 'instagram', 'Parcours', 'service', 'delivery', 'negative', 2),
          (date '2026-03-11', 'x', 'Parcours', 'price', 'promotion', 'neutral', 2)
        ) as t(date_day, platform, brand, macro_theme, topic, sentiment, mentions)
    """,
    "fct_social_influencers": """
        select * from (values
          ('a1', 'style_guru', 'instagram', 5, 12, 3, 50000, 5, 0, 'fit, colours', 'c4', true, true),
          ('a2', 'deal_hunter', 'x', 3, 1, 1, 800, 1, 2, 'promotion', null, false, false)
        ) as t(author_key, author_handle, platform, mentions, replies_received, conversations_started,
               potential_reach, positive_mentions, negative_mentions, top_topics, author_customer_key,
               is_customer, is_advocate)
    """,
    "fct_voc_summary": """
        select * from (values
          (date '2026-03-01', 'nps', 'after_purchase', 'conversion', 'north', null, 10, 6, 2, 0, 85),
          (date '2026-03-01', 'nps', 'after_purchase', 'loyalty', 'north', null, 5, 4, 0, 0, 46),
          (date '2026-03-01', 'csat', 'store_visit', 'conversion', 'south', 'S2', 8, 0, 0, 6, 32)
        ) as t(month_start, survey_type, journey_moment, funnel_stage, region, store_id, answers, promoters,
               detractors, satisfied, score_sum)
    """,
    "fct_survey_responses": """
        select * from (values
          ('f1', 'c1', 'nps', 'after_purchase', 'loyalty', 10, true, false, false, null,
           'Lovely staff and quick delivery', 'positive', date '2026-03-08', date '2026-03-02', date '2026-03-01',
           'email', null, 'north'),
          ('f2', 'c4', 'csat', 'store_visit', 'conversion', 2, false, false, false, false,
           'Queue was far too long', 'negative', date '2026-03-02', date '2026-03-02', date '2026-03-01',
           'in_store', 'S2', 'south')
        ) as t(feedback_id, customer_key, survey_type, journey_moment, funnel_stage, score, is_promoter,
               is_passive, is_detractor, is_satisfied, verbatim, verbatim_sentiment, date_day, week_start,
               month_start, channel, store_id, region)
    """,
}


# The journey map mart, derived from the touchpoints, stage history, customers and survey answers above
# as the dbt model does: each touchpoint in the stage of its day, a survey answer in the stage it rates.
TABLES["fct_journey_map_daily"] = f"""
    with touchpoints as ({TABLES["fct_touchpoints"]}),
    history as ({TABLES["fct_customer_stage_history"]}),
    customers as ({TABLES["dim_customers"]}),
    answers as ({TABLES["fct_survey_responses"]}),
    stores as (select * from (values ('S1', 'city'), ('S2', 'outlet')) as s(store_id, business_unit)),
    staged as (
        select t.*, coalesce(a.funnel_stage, h.funnel_stage) as stage, a.survey_type, a.is_promoter,
               a.is_detractor, a.is_satisfied
        from touchpoints as t
        left join history as h
          on h.customer_key = t.customer_key and t.touchpoint_date >= h.valid_from
         and (h.valid_to is null or t.touchpoint_date < h.valid_to)
        left join answers as a
          on t.channel = 'survey' and a.customer_key = t.customer_key and a.date_day = t.touchpoint_date
        where t.customer_key is not null
    )
    select staged.touchpoint_date as date_day, staged.stage as funnel_stage,
           (list_position(['awareness', 'consideration', 'conversion', 'loyalty', 'advocacy', 'lapsed'],
                          staged.stage))::integer as stage_order,
           staged.channel, staged.region, staged.store_id, stores.business_unit, staged.campaign,
           customers.rfm_segment, customers.behaviour_segment,
           date_trunc('week', staged.touchpoint_date)::date as week_start,
           date_trunc('month', staged.touchpoint_date)::date as month_start,
           count(*)::bigint as touchpoints, count(distinct staged.customer_key)::bigint as customers,
           count(*) filter (where sentiment = 'positive')::bigint as positive_touchpoints,
           count(*) filter (where sentiment = 'neutral')::bigint as neutral_touchpoints,
           count(*) filter (where sentiment = 'negative')::bigint as negative_touchpoints,
           count(*) filter (where survey_type = 'nps')::bigint as nps_answers,
           count(*) filter (where is_promoter)::bigint as promoters,
           count(*) filter (where is_detractor)::bigint as detractors,
           count(*) filter (where survey_type = 'csat')::bigint as csat_answers,
           count(*) filter (where is_satisfied)::bigint as satisfied_answers
    from staged
    left join customers on customers.customer_key = staged.customer_key
    left join stores on stores.store_id = staged.store_id
    where staged.stage is not null
    group by all
"""

# Campaign reach, derived from the touchpoints above as the dbt model does.
TABLES["fct_campaign_reach_daily"] = f"""
    with touchpoints as ({TABLES["fct_touchpoints"]}),
    stores as (select * from (values ('S1', 'city'), ('S2', 'outlet')) as s(store_id, business_unit)),
    ranked as (
        select *, case when customer_key is not null and row_number() over (
                   partition by customer_key, campaign, channel order by touchpoint_at, touchpoint_id) = 1
                   then 1 else 0 end as is_first_reach
        from touchpoints where campaign is not null
    )
    select ranked.touchpoint_date as date_day, campaign, channel, region, ranked.store_id, stores.business_unit,
           date_trunc('week', ranked.touchpoint_date)::date as week_start,
           date_trunc('month', ranked.touchpoint_date)::date as month_start,
           count(*)::bigint as touchpoints, count(distinct customer_key)::bigint as customers,
           sum(is_first_reach)::bigint as customers_first_reached,
           count(*) filter (where touchpoint_type like '%purchase%' or revenue is not null)::bigint as purchases,
           coalesce(sum(revenue), 0)::decimal(18, 2) as revenue
    from ranked left join stores on stores.store_id = ranked.store_id
    group by all
"""

# Columns of the real marts the pages do not read, derived from the rows above so that every
# table has exactly the columns (and types) of its dbt model (tests/apps/test_world.py checks it).
EXTRA_COLUMNS: dict[str, str] = {
    "dim_customers": """
        1 as record_count, (primary_contact_id is not null)::integer as contact_count, 1 as cookie_count,
        'web' as channels_used, 1 as channel_count, order_count as online_order_count, 0 as store_order_count,
        total_revenue::decimal(18, 2) as online_revenue, 0::decimal(18, 2) as store_revenue,
        null::timestamp as first_order_at, null::timestamp as last_order_at, false as has_consent_conflict,
        current_funnel_stage as current_journey_state, null::varchar as current_buying_process_phase,
        first_seen_at::date as current_stage_since, 1 as days_in_current_stage, 1 as recency_days,
        3::bigint as rfm_recency_score, 3::bigint as rfm_frequency_score, 3::bigint as rfm_monetary_score,
        null::varchar as gender
    """,
    "fct_customer_stage_history": """
        customer_key || '-' || transition_number as stage_period_key, valid_from::timestamp as transitioned_at,
        null::varchar as buying_process_phase, null::varchar as previous_journey_state,
        nullif(sankey_source, 'entry') as previous_funnel_stage, null::varchar as previous_buying_cycle_position,
        valid_to is null as is_current
    """,
    "fct_touchpoints": """
        channel = 'web' as is_online, null::varchar as device_category, null::varchar as session_key,
        null::varchar as order_id, touchpoint_type as record_type, touchpoint_id as record_id,
        touchpoint_date as source_date, touchpoint_at as customer_key_assigned_at, null::varchar as load_id
    """,
    "fct_orders": """
        order_key as order_id, order_channel = 'online' as is_online, ordered_at as ordered_at_local,
        null::varchar as session_key, null::varchar as user_id, null::varchar as loyalty_card_number,
        'card' as payment_type, null::varchar as device_category, 1 as item_quantity,
        net_revenue::decimal(18, 2) as gross_amount, 0::decimal(18, 2) as discount_amount,
        net_revenue::decimal(18, 2) as revenue, 0 as return_count, 0::decimal(18, 2) as returned_amount,
        false as is_fully_returned, null::timestamp as first_returned_at,
        case order_channel when 'online' then 'ga4' else 'pos' end as record_source, 'order' as record_type,
        order_key as record_id
    """,
    "fct_source_reconciliation": """
        source || '-' || table_name as reconciliation_id, table_name || '.jsonl' as source_file,
        'load-1' as load_id, timestamp '2026-03-14 18:00' as loaded_at, 0::bigint as records_quarantined_late,
        records_quarantined::bigint as records_quarantined_total, 0::bigint as records_excluded_training,
        records_read = records_loaded + records_quarantined as is_balanced
    """,
    "fct_kpi_daily": """
        case when kpi_name in ('conversion_rate', 'cross_channel_share', 'ropo_rate', 'nps', 'ad_click_through')
             then 'ratio' when kpi_name like 'revenue%' then 'sum' else 'count' end as kpi_kind
    """,
    "fct_attribution_channel_summary": "revenue::double as net_revenue, 1 as credited_touches",
    "fct_ropo_weekly": """
        ropo_customers::bigint as ropo_orders, store_buyers::bigint as store_buyers_after_research,
        showrooming_customers::bigint as showrooming_orders, online_buyers::bigint as online_buyers_after_visit
    """,
    "fct_retention_cohorts": """
        'new' as customer_origin,
        (cohort_month + to_months(months_since_first_order))::date as activity_month,
        repeat_customers::bigint as cumulative_repeat_customers
    """,
    "fct_customer_lifetime_value": """
        order_count as online_order_count, 0 as store_order_count,
        (historical_clv / order_count)::decimal(18, 2) as avg_order_value, 1 as days_since_last_order,
        1 as days_since_last_activity, false as has_purchase_history_before_data,
        date '2026-03-14' as as_of_date, 'web' as acquisition_channel
    """,
    "fct_consent_daily": """
        date_trunc('week', date_day)::date as week_start, date_trunc('month', date_day)::date as month_start
    """,
    "fct_social_daily": """
        date_trunc('week', date_day)::date as week_start, date_trunc('month', date_day)::date as month_start,
        0::bigint as replies, 0::bigint as mentions_by_customers
    """,
    "fct_social_topics": """
        date_trunc('week', date_day)::date as week_start, date_trunc('month', date_day)::date as month_start,
        brand <> 'Parcours' as is_competitor, 100::bigint as potential_reach, 1::bigint as engagements
    """,
    "fct_social_influencers": """
        0::bigint as replies_written, 1::bigint as engagements, mentions::bigint as own_brand_mentions,
        positive_mentions::bigint as own_brand_positive_mentions,
        (positive_mentions - negative_mentions) / mentions as net_sentiment, potential_reach > 10000 as is_influencer
    """,
    "fct_voc_summary": """
        (answers - promoters - detractors)::bigint as passives, answers::bigint as verbatims,
        promoters::bigint as positive_verbatims, detractors::bigint as negative_verbatims
    """,
    "fct_survey_responses": """
        0.0 as verbatim_sentiment_score, 'en' as verbatim_language, date_day::timestamp as submitted_at,
        null::varchar as business_unit, null::varchar as order_id
    """,
}


# The app's aggregate marts (dbt_project/models/marts/app), derived from the rows above as the dbt
# models do: the pages read them instead of scanning the per-customer and per-order marts.
TABLES["dim_filter_values"] = f"""
    with touchpoints as ({TABLES["fct_touchpoints"]}),
    customers as ({TABLES["dim_customers"]}),
    orders as ({TABLES["fct_orders"]}),
    stores as (
        select 'store' as filter_name, store_id::varchar as filter_value,
               arg_min(store_name, (ordered_at, order_key)) as filter_label,
               arg_min(business_unit, (ordered_at, order_key)) as business_unit,
               min(order_date) as first_date, max(order_date) as last_date
        from orders where store_id is not null group by store_id
    )
    select * from stores
    union all
    select 'channel', channel, null, null, min(touchpoint_date), max(touchpoint_date)
    from touchpoints group by channel
    union all
    select 'campaign', campaign, null, null, min(touchpoint_date), max(touchpoint_date)
    from touchpoints where campaign is not null group by campaign
    union all
    select distinct 'region', region, null, null, null::date, null::date from customers where region is not null
    union all
    select distinct 'rfm_segment', rfm_segment, null, null, null::date, null::date
    from customers where rfm_segment is not null
    union all
    select distinct 'behaviour_segment', behaviour_segment, null, null, null::date, null::date
    from customers where behaviour_segment is not null
    union all
    select distinct 'business_unit', business_unit, null, null, null::date, null::date
    from stores where business_unit is not null
"""
TABLES["fct_orders_daily"] = f"""
    select order_date, order_channel, region, store_id, business_unit, count(*)::bigint as orders,
           sum(net_revenue)::decimal(18, 2) as revenue, sum(net_revenue)::decimal(18, 2) as net_revenue
    from ({TABLES["fct_orders"]}) as orders
    group by all
"""
SEGMENT_COLUMNS = (
    "rfm_segment",
    "behaviour_segment",
    "current_buying_cycle_position",
    "current_funnel_stage",
    "preferred_channel",
    "region",
    "age_band",
)
TABLES["fct_customer_segment_sizes"] = " union all ".join(
    f"""
    select '{column}' as segment_column, coalesce({column}::varchar, 'unknown') as segment, region,
           rfm_segment, behaviour_segment, count(*)::bigint as customers,
           count(*) filter (where order_count > 0)::bigint as customers_with_orders,
           sum(order_count)::bigint as orders, sum(total_revenue)::decimal(18, 2) as revenue
    from ({TABLES["dim_customers"]}) as customers
    group by all
    """
    for column in SEGMENT_COLUMNS
)
TABLES["fct_customer_consent_coverage"] = " union all ".join(
    f"""
    select '{consent}' as consent, region, rfm_segment, behaviour_segment, count(*)::bigint as customers,
           count(*) filter (where consent_{consent})::bigint as consented,
           count(*) filter (where not consent_{consent})::bigint as refused,
           count(*) filter (where consent_{consent} is null)::bigint as unanswered
    from ({TABLES["dim_customers"]}) as customers
    group by all
    """
    for consent in ("email", "sms", "ads", "analytics")
)


def build_warehouse(data: DataDir, tables: Iterable[str], email_hash: str) -> None:
    """Create ``tables`` (names of :data:`TABLES`) in the warehouse's marts schema."""
    data.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(data.warehouse)) as connection:
        connection.execute("create schema if not exists marts")
        for name in tables:
            sql = TABLES[name].replace("{c1_email_hash}", email_hash)
            if name in EXTRA_COLUMNS:
                sql = f"select base.*, {EXTRA_COLUMNS[name]} from ({sql}) as base"
            connection.execute(f"create or replace table marts.{name} as {sql}")


def publish_world(
    data: DataDir, tables: Iterable[str] | None = None, run_id: str = "run-world", email_hash: str = "0" * 64
) -> Snapshot:
    """Build the hand-made marts (all of them by default) and publish them as the current snapshot."""
    build_warehouse(data, TABLES if tables is None else tables, email_hash)
    checks: list[dict[str, object]] = [
        {"asset": "fct_orders", "check": "unique_order_key", "passed": True, "severity": "ERROR"}
    ]
    return publish_snapshot(
        data.warehouse,
        data.serving,
        run_id=run_id,
        freshness={"raw_pos": "2026-03-14T18:00:00"},
        checks=checks,
    )
