"""A real ``dagster dev`` started by ``parcours ui`` answers on its GraphQL endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from parcours.paths import DataDir
from tests.conftest import free_port, listening_addresses, stop_process_group

ASSETS_QUERY = "{ assetNodes { assetKey { path } groupName } }"
STARTUP_TIMEOUT_S = 180


def _wait_for_assets(url: str, process: subprocess.Popen[bytes]) -> list[dict[str, object]]:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "dagster dev exited early"
        try:
            response = requests.post(url, json={"query": ASSETS_QUERY}, timeout=10)
            nodes = response.json().get("data", {}).get("assetNodes") if response.ok else None
            if nodes:
                return list(nodes)
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        time.sleep(2)
    raise AssertionError(f"no asset list from {url} within {STARTUP_TIMEOUT_S} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group; SIGKILL what is still running a minute later.

    On a loaded machine dagster dev can take longer to stop a run its freshness sensor launched
    at start than the test is worth waiting for.
    """
    stop_process_group(process, (signal.SIGTERM, 60), (signal.SIGKILL, 30))


def test_parcours_ui_serves_the_asset_graph_on_loopback(data_dir: DataDir, tmp_path: Path) -> None:
    port = free_port()
    parcours = str(Path(sys.executable).with_name("parcours"))
    log = (tmp_path / "dagster-dev.log").open("wb")
    process = subprocess.Popen(
        [parcours, "ui", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
        start_new_session=True,
    )
    try:
        nodes = _wait_for_assets(f"http://127.0.0.1:{port}/graphql", process)
        addresses = listening_addresses(port)
    finally:
        _stop(process)
    assert addresses == {"0100007F"}  # 127.0.0.1 only: nothing on 0.0.0.0 or ::
    keys = {"/".join(node["assetKey"]["path"]) for node in nodes}  # type: ignore[index]
    assert {"serving_snapshot", "streamlit_app", "dim_customers"} <= keys
    assert any(key.startswith("raw_ga4/") for key in keys)
    assert (data_dir.dagster_home / "dagster.yaml").read_text().count("enabled: false") == 1
