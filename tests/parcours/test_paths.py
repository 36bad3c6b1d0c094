from pathlib import Path

import pytest

from parcours.paths import HOME_ENV_VAR, resolve_data_dir


def test_explicit_data_dir_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "explicit").root == tmp_path / "explicit"


def test_environment_wins_over_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "from-env"))
    assert resolve_data_dir().root == tmp_path / "from-env"


def test_default_is_data_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOME_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir().root == tmp_path / "data"


def test_every_location_lives_below_the_root(tmp_path: Path) -> None:
    data_dir = resolve_data_dir(tmp_path).ensure()
    locations = [
        data_dir.landing,
        data_dir.truth,
        data_dir.warehouse,
        data_dir.serving,
        data_dir.dagster_home,
        data_dir.logs,
        data_dir.secrets,
        data_dir.exports,
        data_dir.tmp,
    ]
    assert all(location.is_relative_to(tmp_path) for location in locations)
    assert len(set(locations)) == len(locations)
