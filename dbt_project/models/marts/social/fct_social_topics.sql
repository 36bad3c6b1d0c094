-- Mentions per day, platform, brand, macro theme, micro topic and sentiment. The micro topic
-- is the vendor's tag; its macro theme comes from the seed social_topic_themes (`other` for a
-- tag the seed does not list). A mention with two topics counts once under each: add up
-- within one topic or theme, not across them.

with

mentions as (
    select * from {{ ref('fct_social_mentions') }}
),

mention_topics as (
    select * from {{ ref('stg_social__mention_topics') }}
),

topic_themes as (
    select * from {{ ref('social_topic_themes') }}
),

final as (
    select
        mentions.date_day,
        mentions.week_start,
        mentions.month_start,
        mentions.platform,
        mentions.brand,
        mentions.is_competitor,
        coalesce(topic_themes.macro_theme, 'other') as macro_theme,
        mention_topics.topic,
        mentions.sentiment,
        count(*) as mentions,
        cast(sum(mentions.potential_reach) as {{ dbt.type_bigint() }}) as potential_reach,
        cast(sum(mentions.engagements) as {{ dbt.type_bigint() }}) as engagements
    from mentions
    inner join mention_topics
        on mentions.mention_id = mention_topics.mention_id
    left join topic_themes
        on mention_topics.topic = topic_themes.topic
    group by
        mentions.date_day,
        mentions.week_start,
        mentions.month_start,
        mentions.platform,
        mentions.brand,
        mentions.is_competitor,
        coalesce(topic_themes.macro_theme, 'other'),
        mention_topics.topic,
        mentions.sentiment
)

select * from final
