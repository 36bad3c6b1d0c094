-- The brand's own social posts with their insights: one row per post_id.

with

source as (
    select * from {{ parcours.source_or_empty('social', 'posts', {
        'post_id': 'string',
        'platform': 'string',
        'published_at': 'timestamptz',
        'campaign_id': 'bigint',
        'text': 'string',
        'url': 'string',
        'impressions': 'bigint',
        'reach': 'bigint',
        'engagements': 'bigint',
        'link_clicks': 'bigint',
        '_source_file': 'string',
        '_dlt_load_id': 'string'
    }) }}
),

renamed as (
    select
        post_id,
        lower(platform) as platform,
        {{ parcours.to_utc_timestamp('published_at') }} as published_at,
        campaign_id,
        text as post_text,
        url,
        impressions,
        reach,
        engagements,
        link_clicks,
        _source_file as source_file,
        _dlt_load_id as load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by post_id order by load_id desc, source_file desc) as version_rank
    from renamed
),

final as (
    select
        post_id,
        platform,
        published_at,
        campaign_id,
        post_text,
        url,
        impressions,
        reach,
        engagements,
        link_clicks,
        source_file,
        load_id
    from ranked
    where version_rank = 1
)

select * from final
