-- Applies default_channel_group to the seed of examples, both ways the macro can find
-- source categories (subqueries on the seed, or a join passed as source_category), so that
-- tests compare each result with the expected channel group.

with

examples as (
    select * from {{ ref('channel_group_examples') }}
),

source_categories as (
    select * from {{ ref('ga4_source_categories') }}
),

examples_with_category as (
    select
        examples.example_id,
        examples.source,
        examples.medium,
        examples.campaign,
        examples.expected_channel_group,
        source_categories.source_category
    from examples
    left join source_categories
        on lower(trim(examples.source)) = source_categories.source
),

final as (
    select
        example_id,
        source,
        medium,
        campaign,
        source_category,
        expected_channel_group,
        {{ parcours.default_channel_group('source', 'medium', 'campaign') }} as channel_group,
        {{ parcours.default_channel_group(
            'source', 'medium', 'campaign', source_category='source_category'
        ) }} as channel_group_from_join
    from examples_with_category
)

select * from final
