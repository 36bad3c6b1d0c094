"""Shared fixtures: every test runs against its own temporary data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcours.paths import HOME_ENV_VAR, DataDir
from parcours.telemetry import disable_telemetry

disable_telemetry()
os.environ.setdefault("PARCOURS_PII_KEY", "test-only-pii-key-not-a-secret")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DataDir]:
    """A fresh data directory, exported as ``$PARCOURS_HOME`` for the code under test."""
    data = DataDir(tmp_path / "parcours-home").ensure()
    monkeypatch.setenv(HOME_ENV_VAR, str(data.root))
    monkeypatch.setenv("DAGSTER_HOME", str(data.dagster_home))
    yield data


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net shows them) with a socket listening on TCP ``port``."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process_group(process: subprocess.Popen[bytes], *steps: tuple[signal.Signals, float]) -> None:
    """Send each (signal, seconds) of ``steps`` in turn to the process's group until it exits.

    Raises AssertionError when it outlives the last step.
    """
    for stop_signal, wait_s in steps:
        os.killpg(process.pid, stop_signal)
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
    raise AssertionError(f"process {process.pid} outlived {[step[0].name for step in steps]}")
