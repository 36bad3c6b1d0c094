"""Offline language detection and sentiment scoring of mention and verbatim texts."""

from __future__ import annotations

import pytest

from parcours.text_scoring import ScoringRules, detect_language, score_texts, sentiment_label, sentiment_score

RULES = ScoringRules()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Livraison en retard encore une fois avec Parcours", "fr"),
        ("Quelqu'un connait les horaires de Parcours ?", "fr"),
        ("Super accueil en magasin", "fr"),
        ("Late delivery again from Parcours", "en"),
        ("Anyone tried the new Parcours range?", "en"),
        ("Great products, fast delivery", "en"),
    ],
)
def test_language_is_detected_among_the_configured_languages(text: str, language: str) -> None:
    assert detect_language(text, RULES.languages) == language


def test_a_text_without_letters_has_no_language() -> None:
    assert detect_language("!!! 123", RULES.languages) is None
    assert detect_language("", RULES.languages) is None


def test_language_detection_never_answers_outside_the_configured_languages() -> None:
    assert detect_language("Das ist ein wirklich schoener Laden in der Stadt", ("fr", "en")) in {"fr", "en"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Love my new Parcours boots", "positive"),
        ("Great service at Parcours today!", "positive"),
        ("Very disappointed with the service", "negative"),
        ("Disappointed by Parcours", "negative"),
        ("Parcours opening hours on Sunday?", "neutral"),
        ("Super service au magasin Parcours !", "positive"),
    ],
)
def test_vader_labels_texts_with_the_configured_thresholds(text: str, label: str) -> None:
    assert sentiment_label(sentiment_score(text), RULES) == label


def test_thresholds_decide_the_label_at_the_boundaries() -> None:
    assert sentiment_label(0.05, RULES) == "positive"
    assert sentiment_label(0.0499, RULES) == "neutral"
    assert sentiment_label(-0.05, RULES) == "negative"
    assert sentiment_label(0.3, ScoringRules(positive_min_compound=0.5)) == "neutral"


def test_vendor_language_and_sentiment_win_and_the_rest_is_scored() -> None:
    table = score_texts(
        ["m1", "m2", "m3"],
        ["Disappointed by Parcours", "Love my new Parcours boots", "Love my new Parcours boots"],
        ["en", None, None],
        ["positive", None, "bogus"],
        RULES,
    ).to_pylist()
    assert table[0] == {
        "text_id": "m1",
        "language": "en",
        "language_source": "vendor",
        "sentiment": "positive",
        "sentiment_score": pytest.approx(-0.4767, abs=1e-4),
        "sentiment_source": "vendor",
    }
    assert table[1]["language"] == "en" and table[1]["language_source"] == "langdetect"
    assert table[1]["sentiment"] == "positive" and table[1]["sentiment_source"] == "vader"
    assert table[2]["sentiment_source"] == "vader"  # an unknown vendor label is not trusted


def test_scoring_is_deterministic() -> None:
    texts = ["Decu par Parcours", "Je regarde chez Parcours", "Rien a signaler", "Delivery was ok"] * 3
    ids = [str(index) for index in range(len(texts))]
    nones = [None] * len(texts)
    first = score_texts(ids, texts, nones, nones, RULES)
    second = score_texts(ids, texts, nones, nones, RULES)
    assert first.equals(second)
