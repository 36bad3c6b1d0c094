"""Fixtures of the app's tests: published hand-made snapshots and a helper to run one page."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ingestion.pii import KEY_ENV_VAR, hash_email
from parcours.paths import DataDir
from parcours.serving import current_snapshot
from tests.apps.world import C1_EMAIL, CORE_MARTS, publish_world

APP = str(Path(__file__).resolve().parents[2] / "apps" / "app.py")
PAGES = (
    "overview",
    "journey",
    "channels",
    "customers",
    "customer_360",
    "social_listening",
    "voice_of_customer",
    "data_health",
)

RunPage = Callable[..., AppTest]


@pytest.fixture
def world(data_dir: DataDir) -> DataDir:
    """Every hand-made mart (core and KPI marts) published as the current snapshot."""
    publish_world(data_dir, email_hash=str(hash_email(C1_EMAIL, os.environ[KEY_ENV_VAR])))
    return data_dir


@pytest.fixture
def core_world(data_dir: DataDir) -> DataDir:
    """Only the core marts published: the KPI marts have not landed yet."""
    publish_world(data_dir, tables=CORE_MARTS, email_hash=str(hash_email(C1_EMAIL, os.environ[KEY_ENV_VAR])))
    return data_dir


@pytest.fixture
def run_page() -> RunPage:
    """Run the app on one page, optionally with URL query parameters, and return the AppTest."""

    def run(page: str, **query_params: str | list[str]) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=60)
        for key, value in query_params.items():
            app.query_params[key] = value
        app.switch_page(f"views/{page}.py")
        return app.run()

    return run


def snapshot_rows(data: DataDir, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` run directly on the current snapshot file (the expected answer)."""
    snapshot = current_snapshot(data.serving)
    assert snapshot is not None
    with duckdb.connect(str(snapshot.path(data.serving)), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def metrics(app: AppTest) -> dict[str, str]:
    """Label -> shown value of every KPI tile."""
    return {metric.label: metric.value for metric in app.metric}


def frames(app: AppTest) -> list[Any]:
    """Every table the page shows, as DataFrames."""
    return [frame.value for frame in app.dataframe]


def frame_with(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table the page shows that has all ``columns``."""
    return next(frame for frame in frames(app) if set(columns) <= set(frame.columns))


def shown_text(app: AppTest) -> str:
    """Everything the page shows as text: markdown, captions, alerts, tiles, tables and inputs."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader"):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [frame.value.to_csv() for frame in app.dataframe]
    parts += [str(widget.value) for widget in app.text_input]
    parts += [str(value) for value in app.query_params.values()]
    return "\n".join(parts)
