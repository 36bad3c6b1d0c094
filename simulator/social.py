"""Social listening export (mentions of the brand and its competitors) and the brand's own posts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.config import CHANNELS, SimulationConfig
from simulator.export import Export
from simulator.journeys import NEGATIVE, NEUTRAL, POSITIVE, DayActivity
from simulator.population import AGE_BANDS, GENDERS, Population
from simulator.randomness import Stream, stream
from simulator.state import DAY_MS, start_epoch_ms
from simulator.world import BRAND, COMPETITORS, STORES, World

PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "x", "facebook", "youtube", "forum", "reviews")
PLATFORM_PREFIX: tuple[str, ...] = ("ig", "tt", "tw", "fb", "yt", "fo", "rv")
PLATFORM_WEIGHTS = np.array([0.30, 0.15, 0.15, 0.15, 0.05, 0.08, 0.12])
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
TOPICS: tuple[str, ...] = (
    "customer_service",
    "promotions",
    "offer",
    "delivery",
    "store_experience",
    "product",
)
TEMPLATES: dict[
    str, tuple[tuple[str, ...], ...]
] = {  # language -> per sentiment (NEGATIVE, NEUTRAL, POSITIVE)
    "fr": (
        ("Livraison en retard encore une fois avec {b}", "Service client {b} injoignable", "Decu par {b}"),
        (
            "Quelqu'un connait les horaires de {b} ?",
            "Nouvelle collection {b} en rayon",
            "Je regarde chez {b}",
        ),
        ("Super service au magasin {b} !", "Ravie de mes chaussures {b}", "{b} au top comme toujours"),
    ),
    "en": (
        ("Late delivery again from {b}", "{b} support never answers", "Disappointed by {b}"),
        ("Anyone tried the new {b} range?", "{b} opening hours on Sunday?", "Looking at {b} jackets"),
        ("Great service at {b} today!", "Love my new {b} boots", "{b} never disappoints"),
    ),
}
LANGUAGES: tuple[str, ...] = ("fr", "en")


def _mention_texts() -> list[str]:
    """Every text, indexed by ((brand * 2 + language) * 3 + sentiment) * 3 + template."""
    brands = (BRAND, *COMPETITORS)
    return [
        template.format(b=brand)
        for brand in brands
        for language in LANGUAGES
        for per_sentiment in TEMPLATES[language]
        for template in per_sentiment
    ]


def mentions_table(
    config: SimulationConfig, world: World, population: Population, activity: DayActivity
) -> pa.Table:
    """Mentions by people of the population (known handles) and by the wider public, by time."""
    rng = stream(config.seed, Stream.SOCIAL, activity.day)
    author = activity.mention_author
    n_public = int(rng.poisson(config.public_mention_rate * config.customers))
    n = len(author) + n_public
    person = np.concatenate([author, np.full(n_public, -1)])
    competitor = np.concatenate(
        [
            np.zeros(len(author), np.int64),
            np.where(
                rng.random(n_public) < config.competitor_share,
                rng.integers(1, len(COMPETITORS) + 1, n_public),
                0,
            ),
        ]
    )
    true_sentiment = np.concatenate(
        [
            activity.mention_sentiment,
            rng.choice([NEGATIVE, NEUTRAL, POSITIVE], n_public, p=[0.25, 0.45, 0.30]),
        ]
    )
    published_ms = start_epoch_ms(config) + activity.day * DAY_MS + rng.integers(0, DAY_MS, n)
    order = np.lexsort((person, published_ms))
    table = _mention_columns(
        config, world, population, rng, person, competitor, true_sentiment, published_ms, activity.day
    )
    return table.take(pa.array(order))


def _mention_columns(
    config: SimulationConfig,
    world: World,
    population: Population,
    rng: np.random.Generator,
    person: np.ndarray,
    brand: np.ndarray,
    sentiment: np.ndarray,
    published_ms: np.ndarray,
    day: int,
) -> pa.Table:
    n = len(person)
    known = person >= 0
    safe = np.maximum(person, 0)
    platform = rng.choice(len(PLATFORMS), n, p=PLATFORM_WEIGHTS)
    language = (rng.random(n) < 0.25).astype(np.int64)
    template = ((brand * 2 + language) * 3 + sentiment) * 3 + rng.integers(0, 3, n)
    vendor_sentiment = np.where(rng.random(n) < 0.8, sentiment, rng.integers(0, 3, n))
    followers = np.exp(rng.normal(5.5, 1.6, n)).astype(np.int64)
    handle = pc.if_else(
        pa.array(known),
        population.social_handle.take(pa.array(safe)),
        pc.binary_join_element_wise(
            "@user", pc.cast(pa.array(rng.integers(0, max(config.customers // 4, 10), n)), pa.string()), ""
        ),
    )
    date = f"{world.day_date(day):%Y%m%d}"
    number = pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), 6, "0")
    prefix = pa.array(PLATFORM_PREFIX).take(pa.array(platform))
    mention_id = pc.binary_join_element_wise(prefix, "-", date, number, "")
    replying = np.flatnonzero((rng.random(n) < 0.1) & (np.arange(n) > 0))
    reply_to = np.full(n, -1)
    reply_to[replying] = (rng.random(len(replying)) * replying).astype(np.int64)  # never itself
    return pa.table(
        {
            "mention_id": mention_id,
            "platform": pa.array(PLATFORMS).take(pa.array(platform)),
            "author_handle": handle,
            "author_followers": followers,
            "author_gender": _maybe(GENDERS, population.gender[safe], ~known | (rng.random(n) < 0.4)),
            "author_age_band": _maybe(AGE_BANDS, population.age_band[safe], ~known | (rng.random(n) < 0.5)),
            "author_region": _maybe(
                [s.region for s in STORES], population.home_store[safe], ~known | (rng.random(n) < 0.6)
            ),
            "published_ms": published_ms,
            "text": pa.array(_mention_texts()).take(pa.array(template)),
            "language": _maybe(LANGUAGES, language, rng.random(n) < config.missing_language_rate),
            "url": pc.binary_join_element_wise("https://social.example/p/", mention_id, ""),
            "likes": rng.poisson(np.sqrt(followers)),
            "shares": rng.poisson(np.sqrt(followers) / 10),
            "replies": rng.poisson(np.sqrt(followers) / 5),
            "brand": pa.array((BRAND, *COMPETITORS)).take(pa.array(brand)),
            "is_competitor": brand > 0,
            "topics": _topics(rng, n),
            "sentiment": _maybe(SENTIMENTS, vendor_sentiment, rng.random(n) < config.missing_sentiment_rate),
            "reply_to_mention_id": pc.if_else(
                pa.array(reply_to >= 0),
                mention_id.take(pa.array(np.maximum(reply_to, 0))),
                pa.scalar(None, pa.string()),
            ),
            "person_id": pa.array(person, mask=~known),
        }
    )


def _maybe(values: tuple[str, ...] | list[str], index: np.ndarray, missing: np.ndarray) -> pa.Array:
    taken = pa.array(values, pa.string()).take(pa.array(index.astype(np.int64)))
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), taken)


def _topics(rng: np.random.Generator, n: int) -> pa.Array:
    """One or two topic tags per mention."""
    count = 1 + (rng.random(n) < 0.4)
    first = rng.integers(0, len(TOPICS), n)
    second = (first + rng.integers(1, len(TOPICS), n)) % len(TOPICS)
    topic = np.stack([first, second], axis=1)[np.arange(2)[None, :] < count[:, None]]
    values = pa.array(TOPICS).take(pa.array(topic))
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


MENTIONS_SELECT = """
SELECT mention_id, platform, author_handle, author_followers, author_gender, author_age_band, author_region,
  strftime(make_timestamp(published_ms * 1000), '%Y-%m-%dT%H:%M:%SZ') AS published_at, text, language, url,
  likes, shares, replies, brand, is_competitor, topics, sentiment, reply_to_mention_id
FROM rows
"""
MENTION_IDENTIFIERS = """
SELECT DISTINCT 'social_handle' AS identifier_type, author_handle AS identifier_value, person_id,
  NULL AS shared_kind
FROM rows WHERE person_id IS NOT NULL
"""


def posts_table(config: SimulationConfig, world: World, day: int) -> pa.Table:
    """The brand's own posts of the day, with their insights."""
    rng = stream(config.seed, Stream.SOCIAL, day, 1)
    n = int(rng.integers(1, 4))
    platform = rng.choice(4, n)
    campaign = int(world.campaigns.active_on(day)[CHANNELS.index("organic_social")])
    impressions = (config.customers * rng.uniform(0.05, 0.2, n)).astype(np.int64)
    reach = (impressions * rng.uniform(0.5, 0.8, n)).astype(np.int64)
    engagements = (impressions * rng.uniform(0.01, 0.05, n)).astype(np.int64)
    date = f"{world.day_date(day):%Y%m%d}"
    post_id = [f"{PLATFORM_PREFIX[p]}-{date}{i:02d}" for i, p in enumerate(platform)]
    return pa.table(
        {
            "post_id": post_id,
            "platform": [PLATFORMS[p] for p in platform],
            "published_ms": np.sort(
                start_epoch_ms(config) + day * DAY_MS + rng.integers(8, 20, n) * 3_600_000
            ),
            "campaign_id": pa.array([campaign] * n, pa.int64(), mask=np.full(n, campaign < 0)),
            "text": [f"Nouveautes {BRAND} : decouvrez la collection en magasin et en ligne #{date}"] * n,
            "url": [f"https://social.example/{pid}" for pid in post_id],
            "impressions": impressions,
            "reach": reach,
            "engagements": engagements,
            "link_clicks": (engagements * rng.uniform(0.1, 0.3, n)).astype(np.int64),
        }
    )


POSTS_SELECT = """
SELECT post_id, platform, strftime(make_timestamp(published_ms * 1000), '%Y-%m-%dT%H:%M:%SZ') AS published_at,
  campaign_id, text, url, impressions, reach, engagements, link_clicks
FROM rows
"""


def social_exports(
    config: SimulationConfig, world: World, population: Population, activity: DayActivity
) -> list[Export]:
    """The day's mentions and posts files."""
    day = activity.day
    date = f"{world.day_date(day):%Y%m%d}"
    return [
        Export(
            "social",
            "mention",
            f"social/mentions/mentions_{date}.jsonl",
            day,
            mentions_table(config, world, population, activity),
            MENTIONS_SELECT,
            "mention_id",
            MENTION_IDENTIFIERS,
        ),
        Export(
            "social",
            "post",
            f"social/posts/posts_{date}.jsonl",
            day,
            posts_table(config, world, day),
            POSTS_SELECT,
        ),
    ]
