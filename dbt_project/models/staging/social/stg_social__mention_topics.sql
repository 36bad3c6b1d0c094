-- Topic tags of mentions: one row per (mention_id, topic), topics lower-cased and trimmed.

with

source as (
    select * from {{ parcours.source_or_empty('social', 'mention_topics', {
        'mention_id': 'string',
        'topic_index': 'bigint',
        'topic': 'string'
    }) }}
),

renamed as (
    select
        mention_id,
        topic_index,
        lower(trim(topic)) as topic
    from source
    where nullif(trim(topic), '') is not null
),

final as (
    select
        mention_id,
        topic,
        min(topic_index) as topic_position
    from renamed
    group by mention_id, topic
)

select * from final
