"""Social listening mentions (with their topics) and the brand's own posts."""

from __future__ import annotations

from ingestion.specs import Child, Entity, Field, Kind

MENTIONS = Entity(
    table="mentions",
    fields=(
        Field("mention_id", "$.mention_id", required=True),
        Field("platform", "$.platform", required=True),
        Field("author_handle", "$.author_handle"),
        Field("author_followers", "$.author_followers", Kind.INT, min_value=0),
        Field("author_gender", "$.author_gender"),
        Field("author_age_band", "$.author_age_band"),
        Field("author_region", "$.author_region"),
        Field("published_at", "$.published_at", Kind.TIMESTAMP, required=True),
        Field("text", "$.text"),
        Field("language", "$.language"),
        Field("url", "$.url"),
        Field("likes", "$.likes", Kind.INT, min_value=0),
        Field("shares", "$.shares", Kind.INT, min_value=0),
        Field("replies", "$.replies", Kind.INT, min_value=0),
        Field("brand", "$.brand"),
        Field("is_competitor", "$.is_competitor", Kind.BOOL),
        Field("sentiment", "$.sentiment"),
        Field("reply_to_mention_id", "$.reply_to_mention_id"),
    ),
    key=("mention_id",),
    children=(
        Child("mention_topics", "$.topics", (), ("mention_id",), "topic_index", scalar_column="topic"),
    ),
)

POSTS = Entity(
    table="posts",
    fields=(
        Field("post_id", "$.post_id", required=True),
        Field("platform", "$.platform", required=True),
        Field("published_at", "$.published_at", Kind.TIMESTAMP, required=True),
        Field("campaign_id", "$.campaign_id", Kind.INT),
        Field("text", "$.text"),
        Field("url", "$.url"),
        Field("impressions", "$.impressions", Kind.INT, min_value=0),
        Field("reach", "$.reach", Kind.INT, min_value=0),
        Field("engagements", "$.engagements", Kind.INT, min_value=0),
        Field("link_clicks", "$.link_clicks", Kind.INT, min_value=0),
    ),
    key=("post_id",),
)
