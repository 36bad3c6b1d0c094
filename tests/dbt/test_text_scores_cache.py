"""``int_text__scores`` reuses the scores of its previous build and still equals a build from scratch.

A tiny simulated world is ingested and the model built once from scratch. A stored score whose
input did not change is then reused by the next build, not computed again. Then the raw data
changes as sources change it: one mention's text is edited, another loses its vendor sentiment
(VADER must now score it), and a survey answer is erased. The build that reads its cache must
hold exactly the rows of a build from scratch on the same raw data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from parcours.paths import HOME_ENV_VAR, DataDir
from tests.dbt.dbt_cli import invoke_dbt

SCORES = "intermediate.int_text__scores"
MARKER_SCORE = 9.0  # outside VADER's [-1, 1]: only a reused row can hold it
EDITED_TEXT = "Absolutely wonderful, I love this brand so much!"


@dataclass(frozen=True)
class Changes:
    """The texts changed between the builds and what each build held."""

    reused_marker: list[tuple[object, ...]]
    edited_mention: str
    unlabelled_mention: str
    erased_feedback: str
    from_cache: set[tuple[object, ...]]
    from_scratch: set[tuple[object, ...]]
    first_build: set[tuple[object, ...]]


def _build(target: Path) -> None:
    result = invoke_dbt(["run", "--select", "+int_text__scores"], target)
    assert result.success, f"dbt run failed: {result.exception}"


def _query(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse)) as connection:
        return connection.execute(sql).fetchall()


def _scores(warehouse: Path) -> set[tuple[object, ...]]:
    return set(_query(warehouse, f"select * from {SCORES}"))


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Changes]:
    from ingestion.pipelines import run_ingestion
    from simulator import SimulationConfig, simulate_world

    root = tmp_path_factory.mktemp("text_scores_cache")
    data_dir = DataDir(root / "data").ensure()
    world = SimulationConfig(customers=300, days=3, seed=5, start_date=date(2026, 10, 1), show_progress=False)
    simulate_world(world, landing_dir=data_dir.landing, truth_dir=root / "truth")
    warehouse, target = data_dir.warehouse, root / "target"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV_VAR, str(data_dir.root))
        patch.delenv("PARCOURS_WAREHOUSE", raising=False)
        patch.setenv("DO_NOT_TRACK", "1")
        run_ingestion(data_dir)
        _build(target)
        first_build = _scores(warehouse)
        mentions = [
            str(row[0])
            for row in _query(
                warehouse,
                "select text_id from intermediate.int_text__scores where text_source = 'social_mention'"
                " and sentiment_source = 'vendor' order by text_id limit 3",
            )
        ]
        [marked, edited, unlabelled] = mentions
        [(erased,)] = _query(
            warehouse,
            "select min(text_id) from intermediate.int_text__scores where text_source = 'survey_verbatim'",
        )
        _query(warehouse, f"update {SCORES} set sentiment_score = {MARKER_SCORE} where text_id = '{marked}'")
        _build(target)
        reused_marker = _query(warehouse, f"select sentiment_score from {SCORES} where text_id = '{marked}'")

        _query(
            warehouse, f"update raw_social.mentions set text = '{EDITED_TEXT}' where mention_id = '{edited}'"
        )
        _query(
            warehouse, f"update raw_social.mentions set sentiment = null where mention_id = '{unlabelled}'"
        )
        _query(warehouse, f"delete from raw_crm.feedback where feedback_id = '{erased}'")
        _query(warehouse, f"delete from {SCORES} where text_id = '{marked}'")  # drop the marker
        _build(target)
        from_cache = _scores(warehouse)
        _query(warehouse, f"drop table {SCORES}")
        _build(target)
        from_scratch = _scores(warehouse)
    yield Changes(reused_marker, edited, unlabelled, str(erased), from_cache, from_scratch, first_build)


@pytest.mark.timeout(600)
def test_a_score_whose_input_did_not_change_is_reused(changes: Changes) -> None:
    assert changes.reused_marker == [(MARKER_SCORE,)]


@pytest.mark.timeout(600)
def test_the_build_from_its_cache_equals_a_build_from_scratch(changes: Changes) -> None:
    assert len(changes.from_scratch) > 10
    assert changes.from_cache == changes.from_scratch


@pytest.mark.timeout(600)
def test_edited_relabelled_and_erased_texts_are_scored_again_or_dropped(changes: Changes) -> None:
    before = {(row[0], row[1]): row for row in changes.first_build}
    after = {(row[0], row[1]): row for row in changes.from_cache}
    assert (
        after[("social_mention", changes.edited_mention)]
        != before[("social_mention", changes.edited_mention)]
    )
    relabelled = after[("social_mention", changes.unlabelled_mention)]
    assert relabelled[6] == "vader"
    assert ("survey_verbatim", changes.erased_feedback) in before
    assert ("survey_verbatim", changes.erased_feedback) not in after
