"""Language and sentiment of free texts (social mentions, survey verbatims), offline and deterministic.

Language comes from ``langdetect`` (Google's language-detection profiles, shipped inside the
package), restricted to the languages the project expects and seeded, so one text always gets
one answer. Sentiment comes from VADER (``vaderSentiment``, its lexicon shipped inside the
package): the compound score in [-1, 1] and a label from two thresholds. Nothing is downloaded.

VADER's lexicon is English. French texts are scored with it too: cognates and loan words
(``super``, ``top``, ``ok``) score, most French words do not, so French texts lean neutral.
The French adaptation on PyPI (``vaderSentiment-fr`` 1.3.4) was measured on the simulator's
French texts and scored no better (9 of 15 right against 10 of 15 for English VADER), matches
words fuzzily, and depends on a GPL-2 library; it is not used. Vendor sentiment, where the
listening tool gives one, always wins over this score.

The dbt Python model ``int_text__scores`` calls :func:`score_texts`, and reuses a text's
earlier scores while its input and :func:`scorer_fingerprint` stay the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa

LANGDETECT_SEED = 0
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class ScoringRules:
    """Thresholds and languages of the scoring (dbt vars ``text_*``)."""

    languages: tuple[str, ...] = ("fr", "en")
    positive_min_compound: float = 0.05
    negative_max_compound: float = -0.05


def scorer_fingerprint(rules: ScoringRules) -> str:
    """A hash of everything a text's scores depend on besides the text: rules, this code, the libraries.

    Scores stored with the same fingerprint (and the same input) are the ones a fresh scoring
    would give, so they can be reused; any change here gives a new fingerprint.
    """
    parts = [
        repr(rules),
        hashlib.md5(Path(__file__).read_bytes()).hexdigest(),
        version("langdetect"),
        version("vaderSentiment"),
    ]
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


@cache
def _language_factory(languages: tuple[str, ...]) -> object:
    """A langdetect factory holding the profiles of ``languages`` only (faster, and nothing else can win)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    profiles = []
    for language in languages:
        profile = Path(PROFILES_DIRECTORY) / language
        if not profile.is_file():
            raise ValueError(f"langdetect ships no profile for language {language!r}")
        profiles.append(profile.read_text(encoding="utf-8"))
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.set_seed(LANGDETECT_SEED)
    return factory


@cache
def _analyzer() -> object:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def detect_language(text: str | None, languages: Sequence[str]) -> str | None:
    """The most probable of ``languages`` for ``text``, or None for an empty or letter-less text."""
    from langdetect.lang_detect_exception import LangDetectException

    if not text or not any(character.isalpha() for character in text):
        return None
    if len(languages) == 1:
        return languages[0]
    detector = _language_factory(tuple(sorted(languages))).create()  # type: ignore[attr-defined]
    detector.append(text)
    try:
        return str(detector.detect())
    except LangDetectException:
        return None


def sentiment_score(text: str | None) -> float:
    """VADER's compound score of ``text`` in [-1, 1]; 0.0 for an empty text."""
    if not text:
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])  # type: ignore[attr-defined]


def sentiment_label(score: float, rules: ScoringRules) -> str:
    """positive / neutral / negative from a compound score and the rules' thresholds."""
    if score >= rules.positive_min_compound:
        return "positive"
    if score <= rules.negative_max_compound:
        return "negative"
    return "neutral"


@lru_cache(maxsize=100_000)
def _cached_score(text: str | None) -> float:
    return round(sentiment_score(text), 4)


@lru_cache(maxsize=100_000)
def _cached_language(text: str | None, languages: tuple[str, ...]) -> str | None:
    return detect_language(text, languages)


def _score_one(
    text: str | None, given_language: str | None, given_sentiment: str | None, rules: ScoringRules
) -> tuple[str | None, str | None, str, float, str]:
    score = _cached_score(text)
    language, language_source = given_language, "vendor"
    if language is None:
        language, language_source = _cached_language(text, rules.languages), "langdetect"
    if given_sentiment in SENTIMENTS:
        return language, language_source if language else None, given_sentiment, score, "vendor"
    return language, language_source if language else None, sentiment_label(score, rules), score, "vader"


def score_texts(
    text_ids: Iterable[str],
    texts: Iterable[str | None],
    given_languages: Iterable[str | None],
    given_sentiments: Iterable[str | None],
    rules: ScoringRules,
) -> pa.Table:
    """Language, sentiment label, VADER score and where each came from, one row per text id.

    A language or sentiment given by the source is kept (``vendor``); a missing one is
    detected (``langdetect``) or scored (``vader``). Identical inputs are scored once.
    """
    memo: dict[tuple[str | None, str | None, str | None], tuple[str | None, str | None, str, float, str]] = {}
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "text_id",
            "language",
            "language_source",
            "sentiment",
            "sentiment_score",
            "sentiment_source",
        )
    }
    for text_id, text, language, sentiment in zip(
        text_ids, texts, given_languages, given_sentiments, strict=True
    ):
        key = (text, language, sentiment)
        if key not in memo:
            memo[key] = _score_one(text, language, sentiment, rules)
        columns["text_id"].append(text_id)
        for name, value in zip(list(columns)[1:], memo[key], strict=True):
            columns[name].append(value)
    types = {"sentiment_score": pa.float64()}
    return pa.Table.from_arrays(
        [pa.array(values, types.get(name, pa.string())) for name, values in columns.items()],
        names=list(columns),
    )
