{{ config(materialized='table') }}

-- Social listening mentions: one row per mention_id. Author handles lower-cased without
-- their leading '@' (as identity matching uses them); the vendor's sentiment kept as given.
--
-- A table, not a view: eight models read it, and as a view each read ranked every
-- version again (dbt_project/README.md, "What a run reads").

with

source as (
    select * from {{ parcours.source_or_empty('social', 'mentions', {
        'mention_id': 'string',
        'platform': 'string',
        'author_handle': 'string',
        'author_followers': 'bigint',
        'author_gender': 'string',
        'author_age_band': 'string',
        'author_region': 'string',
        'published_at': 'timestamptz',
        'text': 'string',
        'language': 'string',
        'url': 'string',
        'likes': 'bigint',
        'shares': 'bigint',
        'replies': 'bigint',
        'brand': 'string',
        'is_competitor': 'boolean',
        'sentiment': 'string',
        'reply_to_mention_id': 'string',
        '_source_file': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        mention_id,
        lower(platform) as platform,
        nullif(ltrim(lower(trim(author_handle)), '@'), '') as author_handle,
        author_followers,
        lower(author_gender) as author_gender,
        author_age_band,
        author_region,
        {{ parcours.to_utc_timestamp('published_at') }} as published_at,
        text as mention_text,
        lower(language) as language,  -- noqa: RF04
        url,
        coalesce(likes, 0) as likes,
        coalesce(shares, 0) as shares,  -- noqa: RF04
        coalesce(replies, 0) as replies,
        brand,
        coalesce(is_competitor, false) as is_competitor,
        lower(sentiment) as vendor_sentiment,
        nullif(trim(reply_to_mention_id), '') as reply_to_mention_id,
        _source_file as source_file,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by mention_id order by load_id desc, source_file desc) as version_rank
    from renamed
),

final as (
    select
        mention_id,
        platform,
        author_handle,
        author_followers,
        author_gender,
        author_age_band,
        author_region,
        published_at,
        mention_text,
        language,
        url,
        likes,
        shares,
        replies,
        brand,
        is_competitor,
        vendor_sentiment,
        reply_to_mention_id,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
