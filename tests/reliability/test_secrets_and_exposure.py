"""Point 12: no secret or clear personal data in logs, snapshots or the repository; loopback only.

After a full run, every byte of the data directory's logs, Dagster instance, scratch space,
exports and published snapshot is searched for every clear e-mail address and phone number of the
landing zone (as exported and as normalised) and for the PII hashing key; so are dbt's logs and
run artefacts. Clear values may only live in the landing zone (the source's export) and in the
warehouse's ``restricted_*`` schemas (tested by tests/ingestion/test_personal_data.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingestion.pii import KEY_ENV_VAR, normalise_email, normalise_phone
from parcours.paths import DataDir
from tests.conftest import free_port, listening_addresses, stop_process_group
from tests.reliability.conftest import REPOSITORY_ROOT, Builds, files_containing

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SEARCHED = ("logs", "dagster_home", "tmp", "exports", "serving", "privacy")
STARTUP_TIMEOUT_S = 120


def _clear_personal_values(landing: Path) -> dict[str, bytes]:
    needles: dict[str, bytes] = {}
    for path in sorted((landing / "crm" / "contacts").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                properties = json.loads(line).get("properties") or {}
            except (ValueError, AttributeError):
                continue
            email, phone = properties.get("email"), properties.get("phone")
            for value in (email, normalise_email(email) if isinstance(email, str) else None):
                if isinstance(value, str) and "@" in value:
                    needles[f"email {value}"] = value.encode()
            country = properties.get("country") if isinstance(properties.get("country"), str) else None
            for value in (phone, normalise_phone(phone, country) if isinstance(phone, str) else None):
                if isinstance(value, str) and len(value) >= 8:
                    needles[f"phone {value}"] = value.encode()
    return needles


def test_logs_instance_and_snapshots_hold_no_clear_email_phone_or_key(builds: Builds) -> None:
    data = builds.first.data
    needles = _clear_personal_values(data.landing)
    assert len(needles) > 200
    needles["pii key"] = os.environ[KEY_ENV_VAR].encode()
    assert any((data.root / folder).rglob("*.db") for folder in ("dagster_home",))
    leaks = {}
    for folder in SEARCHED:
        leaks.update(files_containing(data.root / folder, needles))
    since = builds.landing.parent.stat().st_mtime  # dbt's files written by this session's runs
    for folder in ("logs", "target"):
        leaks.update(files_containing(REPOSITORY_ROOT / "dbt_project" / folder, needles, newer_than=since))
    assert leaks == {}


def test_the_key_is_nowhere_in_the_data_directory_but_its_secrets_folder(builds: Builds) -> None:
    data = builds.first.data
    key = {"pii key": os.environ[KEY_ENV_VAR].encode()}
    assert files_containing(data.root, key, skip=("secrets", "landing", "truth")) == {}


def test_the_repository_tracks_no_secret_and_ignores_the_data_directory() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert tracked, "run from a git checkout"
    suspicious = [
        path
        for path in tracked
        if "/secrets/" in f"/{path}"
        or path.endswith((".key", ".pem", "secrets.toml", ".env"))
        or path.startswith("data/")
    ]
    assert suspicious == []
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "data/secrets/pii_hmac.key"], cwd=REPOSITORY_ROOT, check=False
    )
    assert ignored.returncode == 0


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app exited early"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {STARTUP_TIMEOUT_S} s")


def test_parcours_app_listens_on_loopback_only(data_dir: DataDir, tmp_path: Path) -> None:
    port = free_port()
    parcours = str(Path(sys.executable).with_name("parcours"))
    with (tmp_path / "app.log").open("wb") as log:
        process = subprocess.Popen(
            [parcours, "app", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_for_port(port, process)
            addresses = listening_addresses(port)
        finally:
            _stop(process)
    assert addresses == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the app's group until it exits; SIGKILL as a last resort.

    Streamlit listens before it installs its SIGTERM handler (``streamlit.web.bootstrap.run``),
    and a SIGTERM landing in between can be lost: seen once in CI, the app ran on and stopped at
    the next SIGTERM. So a second one is sent, as a user would press Ctrl+C again.
    """
    stop_process_group(process, (signal.SIGTERM, 20), (signal.SIGTERM, 20), (signal.SIGKILL, 20))
