-- The examples exercise every channel group Google defines: returns the channel names no
-- example expects.

with

examples as (
    select * from {{ ref('channel_group_examples') }}
),

channel_names as (
    {% for channel_name in parcours.default_channel_group_names() %}
    select '{{ channel_name }}' as channel_group
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select channel_names.channel_group
    from channel_names
    left join examples
        on channel_names.channel_group = examples.expected_channel_group
    where examples.example_id is null
)

select * from final
