-- Every example of seeds/channels/channel_group_examples.csv gets its expected GA4 channel
-- group, whichever way default_channel_group finds source categories. Returns the mismatches.

with

classified as (
    select * from {{ ref('util_default_channel_group_examples') }}
),

final as (
    select
        example_id,
        source,
        medium,
        campaign,
        expected_channel_group,
        channel_group,
        channel_group_from_join
    from classified
    where
        channel_group is distinct from expected_channel_group
        or channel_group_from_join is distinct from expected_channel_group
)

select * from final
