"""The landing zone through fsspec: any URL, files read in line chunks with their numbers."""

from __future__ import annotations

import fsspec

from ingestion import run_ingestion
from ingestion.landing import Landing
from parcours.paths import DataDir
from tests.ingestion.conftest import scalar
from tests.ingestion.world import World


def test_an_fsspec_url_is_loaded_like_a_local_folder(data_dir: DataDir, fresh_world: World) -> None:
    memory = fsspec.filesystem("memory")
    for path in (data_dir.landing / "social").rglob("*.jsonl"):
        memory.pipe(f"/landing-test/{path.relative_to(data_dir.landing)}", path.read_bytes())
    report = run_ingestion(data_dir, sources=["social"], landing_url="memory://landing-test")
    assert report.balanced
    assert scalar(data_dir, "SELECT count(*) FROM raw_social.mentions") == fresh_world.valid["mentions"]
    sources = scalar(data_dir, "SELECT min(_source_file) FROM raw_social.mentions")
    assert sources == "social/mentions/mentions_20261001.jsonl"


def test_small_chunks_keep_line_numbers_and_skip_blank_lines(data_dir: DataDir) -> None:
    (data_dir.landing / "x").mkdir(parents=True)
    (data_dir.landing / "x/a.jsonl").write_bytes(b'{"a": 1}\n\n  \n{"a": 2}\n{"a": 3}')
    landing = Landing(str(data_dir.landing))
    [file] = landing.list("x/*.jsonl")
    chunks = list(landing.iter_line_chunks(file, chunk_bytes=4))
    numbers = [n for chunk in chunks for n in chunk["line_number"].to_pylist()]
    assert numbers == [1, 4, 5]
