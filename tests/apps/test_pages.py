"""Every page renders without an exception, before any run, with the core marts only, and with all marts."""

from __future__ import annotations

import pytest

from parcours.paths import DataDir
from tests.apps.conftest import PAGES, RunPage

# The KPI marts (MART_CONTRACT.md) each page reads beside the core marts.
KPI_MARTS_OF_PAGE = {
    "overview": ["fct_kpi_daily"],
    "channels": ["fct_attribution_channel_summary", "fct_ropo_weekly", "fct_channel_mix_monthly"],
    "customers": [
        "fct_segment_summary",
        "fct_retention_cohorts",
        "fct_customer_lifetime_value",
        "fct_consent_daily",
    ],
    "social_listening": ["fct_social_daily", "fct_social_topics", "fct_social_influencers"],
    "voice_of_customer": ["fct_voc_summary", "fct_survey_responses"],
}


@pytest.mark.parametrize("page", PAGES)
def test_without_a_snapshot_every_page_says_which_command_to_run(
    data_dir: DataDir, run_page: RunPage, page: str
) -> None:
    app = run_page(page)
    assert not app.exception
    assert not app.error
    assert any("parcours run" in info.value for info in app.info)


@pytest.mark.parametrize("page", PAGES)
def test_with_core_marts_only_pages_name_the_missing_marts_and_never_fail(
    core_world: DataDir, run_page: RunPage, page: str
) -> None:
    app = run_page(page)
    assert not app.exception
    assert not app.error
    messages = " ".join(info.value for info in app.info)
    for mart in KPI_MARTS_OF_PAGE.get(page, []):
        assert f"`{mart}`" in messages, mart
    if page in KPI_MARTS_OF_PAGE:
        assert "newer pipeline run publishes it" in messages


@pytest.mark.parametrize("page", PAGES)
def test_with_every_mart_no_page_shows_a_missing_mart_or_an_error(
    world: DataDir, run_page: RunPage, page: str
) -> None:
    app = run_page(page)
    assert not app.exception
    assert not app.error
    assert not [info.value for info in app.info if "not in the published snapshot" in info.value]
    assert app.title[0].value


def test_a_mart_missing_a_contract_column_is_explained_not_raised(world: DataDir, run_page: RunPage) -> None:
    import duckdb

    from parcours.serving import publish_snapshot

    with duckdb.connect(str(world.warehouse)) as connection:
        connection.execute("alter table marts.fct_kpi_daily drop column denominator")
    publish_snapshot(world.warehouse, world.serving, run_id="run-old-shape")
    app = run_page("overview")
    assert not app.exception
    assert any("lacks the column(s) denominator" in info.value for info in app.info)
