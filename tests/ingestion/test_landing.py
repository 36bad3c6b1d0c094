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


def test_any_chunk_size_reads_the_same_lines_of_a_file_with_lines_longer_than_a_chunk(
    data_dir: DataDir,
) -> None:
    (data_dir.landing / "x").mkdir(parents=True)
    long_line = b'{"a": "' + b"x" * 300 + b'"}'
    content = b'{"a": 1}\n' + long_line + b'\n\n{"a": "\xff"}\n' + long_line + b"\r\n" + b'{"a": 2}'
    (data_dir.landing / "x/a.jsonl").write_bytes(content)
    landing = Landing(str(data_dir.landing))
    [file] = landing.list("x/*.jsonl")

    def lines(chunk_bytes: int) -> list[tuple[int, str, bool]]:
        chunks = list(landing.iter_line_chunks(file, chunk_bytes=chunk_bytes))
        return [
            (number, line, ok)
            for chunk in chunks
            for number, line, ok in zip(
                chunk["line_number"].to_pylist(),
                chunk["line"].to_pylist(),
                chunk["utf8_ok"].to_pylist(),
                strict=True,
            )
        ]

    whole = lines(1 << 20)
    assert [number for number, _, _ in whole] == [1, 2, 4, 5, 6]
    assert [ok for _, _, ok in whole] == [True, True, False, True, True]
    assert whole[3][1] == long_line.decode() + "\r"
    for chunk_bytes in (1, 7, 64, 333):
        assert lines(chunk_bytes) == whole
