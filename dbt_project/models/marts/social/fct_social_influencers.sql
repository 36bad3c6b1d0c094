-- One row per mention author (handle): participation (mentions), networking (replies received
-- to their mentions, conversations they started: a mention that is not itself a reply and got
-- at least one reply), reach (largest follower count seen), sentiment and favourite topics,
-- and the customer the identity graph linked the author to. Influencers reach at least var
-- social_influencer_min_followers; advocates are buying customers with at least
-- social_advocate_min_positive_mentions positive mentions of our brand and at most
-- social_advocate_max_negative_share of negative ones among their mentions of our brand.

with

mentions as (
    select * from {{ ref('fct_social_mentions') }}
),

handles as (
    select
        mention_id,
        author_handle
    from {{ ref('stg_social__mentions') }}
),

mention_topics as (
    select * from {{ ref('stg_social__mention_topics') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

authored as (
    select
        mentions.*,
        handles.author_handle
    from mentions
    inner join handles
        on mentions.mention_id = handles.mention_id
    where handles.author_handle is not null
),

replies_to as (
    select
        reply_to_mention_id as mention_id,
        count(*) as replies_received
    from mentions
    where reply_to_mention_id is not null
    group by reply_to_mention_id
),

author_mentions as (
    select
        authored.author_key,
        authored.author_handle,
        authored.mention_id,
        authored.platform,
        authored.is_reply,
        authored.sentiment,
        authored.is_competitor,
        authored.potential_reach,
        authored.engagements,
        authored.author_customer_key,
        coalesce(replies_to.replies_received, 0) as replies_received
    from authored
    left join replies_to
        on authored.mention_id = replies_to.mention_id
),

platform_ranks as (
    select
        author_key,
        platform,
        row_number() over (partition by author_key order by count(*) desc, platform) as platform_rank
    from author_mentions
    group by author_key, platform
),

topic_counts as (
    select
        author_mentions.author_key,
        mention_topics.topic,
        row_number() over (
            partition by author_mentions.author_key
            order by count(*) desc, mention_topics.topic
        ) as topic_rank
    from author_mentions
    inner join mention_topics
        on author_mentions.mention_id = mention_topics.mention_id
    group by author_mentions.author_key, mention_topics.topic
),

top_topics as (
    select
        author_key,
        {{ dbt.listagg('topic', "','", 'order by topic_rank') }} as top_topics
    from topic_counts
    where topic_rank <= {{ var('social_top_topics') }}
    group by author_key
),

linked_customers as (
    -- an author whose mentions were stitched to several customers keeps the smallest key
    select
        author_key,
        min(author_customer_key) as author_customer_key
    from author_mentions
    group by author_key
),

authors as (
    select
        author_key,
        min(author_handle) as author_handle,
        count(*) as mentions,
        cast(sum(replies_received) as {{ dbt.type_bigint() }}) as replies_received,
        cast(
            sum(case when not is_reply and replies_received > 0 then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as conversations_started,
        cast(sum(case when is_reply then 1 else 0 end) as {{ dbt.type_bigint() }}) as replies_written,
        max(potential_reach) as potential_reach,
        cast(sum(engagements) as {{ dbt.type_bigint() }}) as engagements,
        cast(
            sum(case when sentiment = 'positive' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as positive_mentions,
        cast(
            sum(case when sentiment = 'negative' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as negative_mentions,
        cast(
            sum(case when not is_competitor then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as own_brand_mentions,
        cast(
            sum(case when not is_competitor and sentiment = 'positive' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as own_brand_positive_mentions,
        cast(
            sum(case when not is_competitor and sentiment = 'negative' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as own_brand_negative_mentions
    from author_mentions
    group by author_key
),

final as (
    select
        authors.author_key,
        authors.author_handle,
        platform_ranks.platform,
        authors.mentions,
        authors.replies_received,
        authors.conversations_started,
        authors.replies_written,
        authors.potential_reach,
        authors.engagements,
        authors.positive_mentions,
        authors.negative_mentions,
        authors.own_brand_mentions,
        authors.own_brand_positive_mentions,
        case
            when authors.positive_mentions + authors.negative_mentions > 0
                then
                    cast(authors.positive_mentions - authors.negative_mentions as double)
                    / (authors.positive_mentions + authors.negative_mentions)
        end as net_sentiment,
        top_topics.top_topics,
        linked_customers.author_customer_key,
        coalesce(customers.order_count, 0) > 0 as is_customer,
        authors.potential_reach >= {{ var('social_influencer_min_followers') }} as is_influencer,
        coalesce(customers.order_count, 0) > 0
        and authors.own_brand_positive_mentions >= {{ var('social_advocate_min_positive_mentions') }}
        and authors.own_brand_negative_mentions
        <= {{ var('social_advocate_max_negative_share') }} * authors.own_brand_mentions as is_advocate
    from authors
    inner join platform_ranks
        on authors.author_key = platform_ranks.author_key and platform_ranks.platform_rank = 1
    left join top_topics
        on authors.author_key = top_topics.author_key
    left join linked_customers
        on authors.author_key = linked_customers.author_key
    left join customers
        on linked_customers.author_customer_key = customers.customer_key
)

select * from final
