-- Every public mention of the brand or a competitor, one row per mention_id, with its
-- sentiment (the vendor's label, else VADER's: int_text__scores), language, reach and
-- engagement, the author as a key (hash of the handle) and, when the identity graph
-- stitched the mention to a customer known through another channel too (CRM, web, store:
-- a handle alone forms a one-channel cluster and links to nobody), that customer. Author
-- demographics are the vendor's, else the linked customer's CRM ones. Calendar columns in
-- var reporting_timezone.

with

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

text_scores as (
    select * from {{ ref('int_text__scores') }}
    where text_source = 'social_mention'
),

record_customers as (
    select * from {{ ref('int_identity__record_customers') }}
    where source = 'social' and record_type = 'mention'
),

customers as (
    select * from {{ ref('dim_customers') }}
),

linked_customers as (
    select
        record_customers.record_id as mention_id,
        customers.customer_key,
        customers.region,
        customers.gender,
        customers.age_band
    from record_customers
    inner join customers
        on record_customers.customer_key = customers.customer_key
    where customers.channel_count > 1
),

localized as (
    select
        mentions.*,
        {{ parcours.reporting_date('mentions.published_at') }} as date_day
    from mentions
),

final as (
    select
        localized.mention_id,
        localized.platform,
        localized.brand,
        localized.is_competitor,
        localized.published_at,
        localized.date_day,
        cast({{ dbt.date_trunc('week', 'localized.date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'localized.date_day') }} as date) as month_start,
        text_scores.sentiment,
        text_scores.sentiment_score,
        text_scores.sentiment_source,
        text_scores.language,
        text_scores.language_source,
        coalesce(localized.author_followers, 0) as potential_reach,
        localized.likes,
        localized.shares,
        localized.replies,
        localized.likes + localized.shares + localized.replies as engagements,
        {{ parcours.surrogate_key(['localized.author_handle']) }} as author_key,
        linked_customers.customer_key as author_customer_key,
        localized.reply_to_mention_id is not null as is_reply,
        localized.reply_to_mention_id,
        coalesce(localized.author_region, linked_customers.region) as region,
        coalesce(localized.author_gender, linked_customers.gender) as author_gender,
        coalesce(localized.author_age_band, linked_customers.age_band) as author_age_band,
        case
            when localized.author_gender is not null or localized.author_age_band is not null then 'vendor'
            when linked_customers.gender is not null or linked_customers.age_band is not null then 'crm'
        end as author_demographics_source
    from localized
    inner join text_scores
        on localized.mention_id = text_scores.text_id
    left join linked_customers
        on localized.mention_id = linked_customers.mention_id
)

select * from final
