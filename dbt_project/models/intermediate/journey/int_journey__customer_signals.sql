-- What each resolved customer did that the journey stage rules read, one row per customer,
-- day and signal (with how many times): product views and add-to-carts (GA4), purchases
-- (web orders and store sales; a fully returned sale does not count when var
-- journey_exclude_returns_from_purchases), NPS promoter answers (var
-- journey_advocacy_nps_min_score) and brand mentions with a sentiment of var
-- journey_advocacy_mention_sentiments (the listening vendor's label, else VADER's:
-- int_text__scores, as in fct_social_mentions), and `activity` (a web visit, a store purchase, an
-- e-mail click, a survey answer, a service case, a mention: what ends or starts a lapse).
-- `seen` marks the first day of every record, `identified` that of every record that is
-- not a bare GA4 cookie. The CRM's sales summary of a contact (stg_crm__contacts) adds what
-- the other sources may miss: its last purchase date with its purchase count is a
-- `prior_purchase` when that date is before the data; when it lies in the data it is a
-- `crm_purchase` (the same purchase as one seen that day, if any), and the purchases it counts
-- beyond those the data shows for the customer up to that date (that date counting at least
-- once: the CRM's own purchase) are one `prior_purchase` the day before the data, none when
-- the data shows them all. Without a summary, a contact created before the data with
-- lifecycle stage customer or evangelist has one `prior_purchase` the day before the data.
-- `prior_advocacy` (evangelist) is dated the day before the data; the CRM's last activity date
-- is an `activity`.

with

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
),

ga4_events as (
    select * from {{ ref('stg_ga4__events') }}
),

online_orders as (
    select * from {{ ref('int_orders__online_orders') }}
),

store_orders as (
    select * from {{ ref('int_orders__store_orders') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
),

feedback as (
    select * from {{ ref('stg_crm__feedback') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

text_scores as (
    select * from {{ ref('int_text__scores') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

web_days as (
    -- GA4 events per cookie and day in one narrow aggregate: every event is an `activity`,
    -- product views and add-to-carts are also signals of their own (at 1M customers, 18M
    -- events as signal rows went through the text-keyed aggregate of record_days: 21M
    -- groups, spilling under a quarter of the machine; this one has 2.6M)
    select
        user_pseudo_id,
        cast(event_at as date) as signal_date,
        count(*) as event_count,
        min(event_at) as first_event_at,
        count(case when event_name = 'view_item' then 1 end) as product_view_count,
        min(case when event_name = 'view_item' then event_at end) as first_product_view_at,
        count(case when event_name = 'add_to_cart' then 1 end) as cart_count,
        min(case when event_name = 'add_to_cart' then event_at end) as first_cart_at
    from ga4_events
    where event_at is not null
    group by user_pseudo_id, cast(event_at as date)
),

web_record_days as (
    {%- for signal_type, count_column, first_column in [
        ('activity', 'event_count', 'first_event_at'),
        ('product_view', 'product_view_count', 'first_product_view_at'),
        ('add_to_cart', 'cart_count', 'first_cart_at'),
    ] %}
    select
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        '{{ signal_type }}' as signal_type,
        signal_date,
        {{ count_column }} as signal_count,
        {{ first_column }} as first_signal_at
    from web_days
    where {{ count_column }} > 0
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

purchase_signals as (
    select
        'ga4_cookie' as record_type,
        user_pseudo_id as record_id,
        ordered_at as signal_at,
        'purchase' as signal_type
    from online_orders
    union all
    select
        'pos_order' as record_type,
        order_id as record_id,
        ordered_at as signal_at,
        'purchase' as signal_type
    from store_orders
    where
        not is_training
        {% if var('journey_exclude_returns_from_purchases') %}
        and returned_amount < revenue
        {% endif %}
    union all
    select
        'pos_order' as record_type,
        order_id as record_id,
        ordered_at as signal_at,
        'activity' as signal_type
    from store_orders
    where not is_training
),

crm_signals as (
    select
        'email_event' as record_type,
        email_event_id as record_id,
        occurred_at as signal_at,
        'activity' as signal_type
    from email_events
    where event_type = 'click'
    union all
    select
        'feedback' as record_type,
        feedback_id as record_id,
        submitted_at as signal_at,
        'activity' as signal_type
    from feedback
    union all
    select
        'feedback' as record_type,
        feedback_id as record_id,
        submitted_at as signal_at,
        'promoter_answer' as signal_type
    from feedback
    where survey_type = 'nps' and score >= {{ var('journey_advocacy_nps_min_score') }}
    union all
    select
        'ticket' as record_type,
        ticket_id as record_id,
        created_at as signal_at,
        'activity' as signal_type
    from tickets
),

social_signals as (
    select
        'mention' as record_type,
        mention_id as record_id,
        published_at as signal_at,
        'activity' as signal_type
    from mentions
    union all
    select
        'mention' as record_type,
        mentions.mention_id as record_id,
        mentions.published_at as signal_at,
        'positive_mention' as signal_type
    from mentions
    inner join text_scores
        on
            text_scores.text_source = 'social_mention'
            and mentions.mention_id = text_scores.text_id
    where
        not mentions.is_competitor
        and text_scores.sentiment in (
            {{ parcours.sql_string_list(var('journey_advocacy_mention_sentiments')) }}
        )
),

history_start as (
    select min(cast(signal_at as date)) as first_data_date
    from (
        select first_event_at as signal_at from web_days
        union all
        select signal_at from purchase_signals
        union all
        select signal_at from crm_signals
        union all
        select signal_at from social_signals
    ) as dated_signals
),

crm_history as (
    select
        contacts.contact_id,
        contacts.lifecycle_stage,
        contacts.crm_purchase_count,
        contacts.crm_last_activity_at,
        contacts.crm_last_purchase_at,
        cast(contacts.crm_last_purchase_at as date) as last_purchase_date,
        history_start.first_data_date,
        {{ dbt.dateadd('day', -1, 'history_start.first_data_date') }} as day_before_data,
        cast(contacts.created_at as date) < history_start.first_data_date as existed_before_data
    from contacts
    cross join history_start
),

prior_signals as (
    -- a last purchase before the data (its count), or the lifecycle fallback; a last purchase
    -- in the data is reconciled with the purchases seen (crm_counts_in_data below)
    select
        'contact' as record_type,
        contact_id as record_id,
        case
            when last_purchase_date < first_data_date then last_purchase_date
            else day_before_data
        end as signal_at,
        'prior_purchase' as signal_type,
        case
            when last_purchase_date < first_data_date then crm_purchase_count
            else 1
        end as signal_weight
    from crm_history
    where
        last_purchase_date < first_data_date
        or (
            crm_purchase_count is null
            and existed_before_data
            and lifecycle_stage in ('customer', 'evangelist')
        )
    union all
    select
        'contact' as record_type,
        contact_id as record_id,
        crm_last_purchase_at as signal_at,
        'crm_purchase' as signal_type,
        1 as signal_weight
    from crm_history
    where last_purchase_date >= first_data_date
    union all
    select
        'contact' as record_type,
        contact_id as record_id,
        day_before_data as signal_at,
        'prior_advocacy' as signal_type,
        1 as signal_weight
    from crm_history
    where existed_before_data and lifecycle_stage = 'evangelist'
    union all
    select
        'contact' as record_type,
        contact_id as record_id,
        crm_last_activity_at as signal_at,
        'activity' as signal_type,
        1 as signal_weight
    from crm_history
    where crm_last_activity_at is not null
),

record_first_days as (
    -- a row per record already (so not aggregated below): its first day
    {%- for signal_type, condition in [
        ('seen', 'true'),
        ('identified', "record_type != 'ga4_cookie'"),
    ] %}
    select
        record_type,
        record_id,
        '{{ signal_type }}' as signal_type,
        cast(first_seen_at as date) as signal_date,
        1 as signal_count,
        first_seen_at as first_signal_at
    from record_customers
    where first_seen_at is not null and {{ condition }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

unioned as (
    -- signal_weight: how many signals a row stands for (a CRM purchase count, else 1)
    {%- for observed in ['purchase', 'crm', 'social'] %}
    select
        record_type,
        record_id,
        signal_at,
        signal_type,
        1 as signal_weight
    from {{ observed }}_signals
    union all
    {%- endfor %}
    select
        record_type,
        record_id,
        signal_at,
        signal_type,
        signal_weight
    from prior_signals
),

record_days as (
    -- one row per record, day and signal before the join to customers: the join and what
    -- follows read a fraction of the rows (GA4 cookie-days and the records' first days come
    -- aggregated already)
    select
        record_type,
        record_id,
        signal_type,
        cast(signal_at as date) as signal_date,
        sum(signal_weight) as signal_count,
        min(signal_at) as first_signal_at
    from unioned
    where signal_at is not null
    group by record_type, record_id, signal_type, cast(signal_at as date)
    {%- for aggregated in ['web_record_days', 'record_first_days'] %}
    union all
    select
        record_type,
        record_id,
        signal_type,
        signal_date,
        signal_count,
        first_signal_at
    from {{ aggregated }}
    {%- endfor %}
),

keyed as (
    select
        record_customers.customer_key,
        record_days.signal_type,
        record_days.signal_date,
        record_days.signal_count,
        record_days.first_signal_at
    from record_days
    inner join record_customers
        on
            record_days.record_type = record_customers.record_type
            and record_days.record_id = record_customers.record_id
    where record_customers.customer_key is not null
),

crm_counts_in_data as (
    -- a contact whose last purchase lies in the data, and the purchases its count may include
    -- before the data: the data's purchases of the customer up to that date count already
    select
        record_customers.customer_key,
        crm_history.contact_id,
        crm_history.day_before_data,
        crm_history.crm_purchase_count,
        coalesce(sum(
            case
                when keyed.signal_date < crm_history.last_purchase_date
                    then keyed.signal_count
            end
        ), 0)
        + greatest(coalesce(sum(
            case
                when keyed.signal_date = crm_history.last_purchase_date
                    then keyed.signal_count
            end
        ), 0), 1) as purchases_in_data
    from crm_history
    inner join record_customers
        on
            record_customers.record_type = 'contact'
            and crm_history.contact_id = record_customers.record_id
    left join keyed
        on
            record_customers.customer_key = keyed.customer_key
            and keyed.signal_type = 'purchase'
            and crm_history.last_purchase_date >= keyed.signal_date
    where
        record_customers.customer_key is not null
        and crm_history.last_purchase_date >= crm_history.first_data_date
        and crm_history.crm_purchase_count >= 2
    group by
        record_customers.customer_key,
        crm_history.contact_id,
        crm_history.day_before_data,
        crm_history.crm_purchase_count
),

reconciled_prior_purchases as (
    select
        customer_key,
        'prior_purchase' as signal_type,
        cast(day_before_data as date) as signal_date,
        crm_purchase_count - purchases_in_data as signal_count,
        cast(day_before_data as {{ dbt.type_timestamp() }}) as first_signal_at
    from crm_counts_in_data
    where crm_purchase_count > purchases_in_data
),

all_signals as (
    select
        customer_key,
        signal_type,
        signal_date,
        signal_count,
        first_signal_at
    from keyed
    union all
    select
        customer_key,
        signal_type,
        signal_date,
        signal_count,
        first_signal_at
    from reconciled_prior_purchases
),

final as (
    -- records of one customer meet here: their days are summed once more
    select
        customer_key,
        signal_date,
        signal_type,
        cast(sum(signal_count) as {{ dbt.type_bigint() }}) as signal_count,
        min(first_signal_at) as first_signal_at
    from all_signals
    group by customer_key, signal_date, signal_type
)

select * from final
