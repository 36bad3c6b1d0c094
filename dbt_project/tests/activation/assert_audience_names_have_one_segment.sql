-- An audience name (`<channel>__<segment>`) stands for one channel, segmentation and segment:
-- two segmentations sharing a segment value would merge two audiences in one export file.

with

audiences as (
    select * from {{ ref('fct_activation_audiences') }}
),

final as (
    select audience_name
    from audiences
    group by audience_name
    having
        count(distinct {{ dbt.concat(['activation_channel', "'|'", 'segment_type', "'|'", 'segment']) }})
        > 1
)

select * from final
