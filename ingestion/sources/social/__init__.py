"""Social source: the listening export's mentions (and their topics) and the brand's own posts.

Handles stay clear: they are public. File mode only (listening vendors deliver exports).
"""

from __future__ import annotations

from datetime import datetime

import dlt
from dlt.extract.resource import DltResource

from ingestion.landing import Landing
from ingestion.resources import file_resource
from ingestion.sources.social.entities import MENTIONS, POSTS


@dlt.source(name="social", max_table_nesting=0)
def social_source(
    landing_url: str = dlt.config.value, pii_key: str = dlt.secrets.value, as_of: datetime | None = None
) -> list[DltResource]:
    """Mentions and posts from ``<landing_url>/social/``; ``as_of`` is the future check's "now"."""
    landing = Landing(landing_url)
    return [
        file_resource(MENTIONS, landing, "social/mentions/mentions_*.jsonl", pii_key=pii_key, as_of=as_of),
        file_resource(POSTS, landing, "social/posts/posts_*.jsonl", pii_key=pii_key, as_of=as_of),
    ]
