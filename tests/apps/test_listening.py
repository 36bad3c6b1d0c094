"""Social listening and voice of the customer: tiles and tables equal the social and survey marts."""

from __future__ import annotations

import pytest

from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frames, metrics, snapshot_rows


def test_social_tiles_count_our_brands_mentions(world: DataDir, run_page: RunPage) -> None:
    app = run_page("social_listening")
    assert not app.exception
    own = snapshot_rows(
        world,
        "select sum(mentions), (sum(positive) - sum(negative)) / sum(mentions) from fct_social_daily "
        "where not is_competitor",
    )
    shown = metrics(app)
    assert shown["Mentions of our brand"] == f"{own[0][0]:,.0f}"
    assert shown["Net sentiment"] == f"{own[0][1] * 100:+.0f}"


def test_share_of_voice_divides_by_every_brands_mentions(world: DataDir, run_page: RunPage) -> None:
    app = run_page("social_listening")
    voice = next(frame for frame in frames(app) if "share_of_voice" in frame.columns).set_index("brand")
    assert voice.loc["Parcours", "share_of_voice"] == pytest.approx(10 / 20)


def test_region_filter_applies_to_mentions(world: DataDir, run_page: RunPage) -> None:
    app = run_page("social_listening", region="south")
    assert metrics(app)["Mentions of our brand"] == "2"


def test_influencers_table_lists_participation_networking_and_reach(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("social_listening")
    influencers = next(frame for frame in frames(app) if "networking" in frame.columns)
    assert influencers.iloc[0]["author_handle"] == "style_guru"
    assert influencers.iloc[0]["networking"] == 12


def test_nps_and_csat_equal_the_voc_summary(world: DataDir, run_page: RunPage) -> None:
    app = run_page("voice_of_customer")
    assert not app.exception
    nps = snapshot_rows(
        world,
        "select (sum(promoters) - sum(detractors)) / sum(answers) from fct_voc_summary "
        "where survey_type = 'nps'",
    )
    shown = metrics(app)
    assert shown["NPS"] == f"{nps[0][0] * 100:+.0f}"
    assert shown["CSAT"] == f"{6 / 8:.1%}"


def test_verbatims_are_listed_newest_first_and_filter_by_sentiment(world: DataDir, run_page: RunPage) -> None:
    app = run_page("voice_of_customer")
    verbatims = next(frame for frame in frames(app) if "verbatim" in frame.columns)
    assert verbatims["verbatim"].tolist() == ["Lovely staff and quick delivery", "Queue was far too long"]
    app.button_group(key="verbatim-sentiment").set_value("negative").run()
    verbatims = next(frame for frame in frames(app) if "verbatim" in frame.columns)
    assert verbatims["verbatim"].tolist() == ["Queue was far too long"]
