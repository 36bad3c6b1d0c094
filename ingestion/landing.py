"""The landing zone through fsspec: list export files, read them as line chunks, remember what was loaded.

Works on a local folder or any fsspec URL (``s3://``, ``gs://``, ``az://``, ``memory://``...); remote
protocols need their fsspec package (s3fs, gcsfs, adlfs) installed. Files are read in Python, so the
parsing DuckDB needs no network extension.

File state lives in dlt resource state (committed with the load package, so a crashed run re-reads
exactly what was not loaded): ``{"files": {relative path: fingerprint}}``, plus, for day files that
may still be rewritten (GA4), what was read of each: ``{"contents": {relative path: {"bytes",
"lines", "sha256"}}}``. A rewrite that only appended lines to that content is then read from where
the last read stopped (:meth:`Landing.appended_tail`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from fsspec.core import url_to_fs

from ingestion.validation import LINES_SCHEMA

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024 * 1024
GA4_LOOKBACK_DAYS = 3
_DAY_IN_NAME = re.compile(r"(\d{8})\.jsonl$")


@dataclass(frozen=True)
class LandingFile:
    """One export file: its path relative to the landing root and a fingerprint that changes with it."""

    relative_path: str
    full_path: str
    fingerprint: str
    size: int | None = None  # bytes, when the listing tells

    @property
    def day(self) -> date | None:
        """The day in the file name (``events_20261102.jsonl``), if any."""
        return day_in_name(self.relative_path)


def day_in_name(path: str) -> date | None:
    """The day in a landing file's name (``ga4/events_20261102.jsonl``), if any."""
    match = _DAY_IN_NAME.search(path)
    if not match:
        return None
    text = match.group(1)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


class FileRead:
    """Where a read of a file starts, and then how far it got: bytes, lines and their SHA-256.

    ``FileRead()`` reads a file from its start without a digest; ``FileRead.hashed()`` keeps one,
    for files a later rewrite may only append to; :meth:`Landing.appended_tail` gives the read of
    the lines appended since an earlier read.
    """

    def __init__(self, start: int = 0, lines: int = 0, digest: Any = None) -> None:
        self.start = start
        self.start_line = lines + 1  # the number of the first line read
        self.bytes = start  # read so far, from the file's start
        self.lines = lines  # lines so far (blank ones too: line numbers count them)
        self.digest = digest  # hashlib object over the bytes so far, or None
        self.ends_with_newline = True  # whether the bytes so far end with a whole line

    @classmethod
    def hashed(cls) -> FileRead:
        """A read from the file's start that keeps the digest of its content."""
        return cls(digest=hashlib.sha256())

    @property
    def is_tail(self) -> bool:
        """Whether the read starts after lines read by an earlier run."""
        return self.start > 0

    def record(self) -> dict[str, Any] | None:
        """The state entry describing the content read, if a later run can read on after it."""
        if self.digest is None or not self.ends_with_newline:
            return None
        return {"bytes": self.bytes, "lines": self.lines, "sha256": self.digest.hexdigest()}

    def _consumed(self, block: memoryview) -> None:
        if self.digest is not None:
            self.digest.update(block)
        self.bytes += len(block)
        if len(block):
            self.ends_with_newline = block[-1] == ord("\n")


class Landing:
    """A landing zone root (local folder or fsspec URL)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url
        fs, root = url_to_fs(url, **storage_options)
        self.fs: fsspec.AbstractFileSystem = fs
        self.root = root.rstrip("/")

    def list(self, pattern: str) -> list[LandingFile]:
        """Files matching a glob relative to the root (``ga4/events_*.jsonl``), sorted by path."""
        found = self.fs.glob(f"{self.root}/{pattern}", detail=True)
        assert isinstance(found, dict)
        return [
            LandingFile(path[len(self.root) + 1 :], path, _fingerprint(info), _size(info))
            for path, info in sorted(found.items())
            if info.get("type") == "file"
        ]

    def iter_line_chunks(
        self, file: LandingFile, chunk_bytes: int = CHUNK_BYTES, read: FileRead | None = None
    ) -> Iterator[pa.Table]:
        """Yield the file's non-blank lines as Arrow tables of about ``chunk_bytes``, numbered from 1.

        ``read``: where to start (a tail: its first line is numbered after the lines before it) and
        what to keep track of; updated as the file is read.

        The file is read into one buffer, reused for every block: the lines are copied out of it when
        split, and the unfinished last line moves to its front. (Reading a new ``bytes`` per block, then
        joining it to the previous tail and cutting it, copied each block three times into freshly
        mapped memory: about 40 % of this function's CPU, most of it page faults.)
        """
        read = read or FileRead()
        # a small file gets a small buffer (bytearray zero-fills, touching every page)
        unread = None if file.size is None else max(0, file.size - read.start)
        capacity = chunk_bytes if unread is None else min(chunk_bytes, unread + 1)
        buffer = bytearray(max(1, capacity))
        filled = 0  # bytes in the buffer: the tail of the previous block, then what was read
        with self.fs.open(file.full_path, "rb") as handle:
            if read.start:
                handle.seek(read.start)
            while True:
                if filled == len(buffer):  # one line longer than the buffer: make room for more of it
                    buffer += bytes(len(buffer))
                with memoryview(buffer) as view:
                    size = handle.readinto(view[filled:])
                    read._consumed(view[filled : filled + size])
                if not size:
                    break
                cut = buffer.rfind(b"\n", filled, filled + size)
                filled += size
                if cut < 0:
                    continue
                with memoryview(buffer) as view:
                    table, count = _lines_table(view[:cut], read.lines + 1)
                buffer[: filled - cut - 1] = buffer[cut + 1 : filled]
                filled -= cut + 1
                read.lines += count
                if table.num_rows:
                    yield table
        if filled:
            with memoryview(buffer) as view:
                last, count = _lines_table(view[:filled], read.lines + 1)
            read.lines += count
            yield last

    def appended_tail(self, file: LandingFile, record: dict[str, Any]) -> FileRead | None:
        """The read of the lines appended to ``file`` since the content ``record`` describes, if only
        lines were appended (same bytes up to ``record["bytes"]``, checked by their SHA-256)."""
        if file.size is None or file.size <= record["bytes"]:
            return None
        digest = hashlib.sha256()
        remaining = record["bytes"]
        with self.fs.open(file.full_path, "rb") as handle:
            while remaining:
                block = handle.read(min(CHUNK_BYTES, remaining))
                if not block:
                    return None
                digest.update(block)
                remaining -= len(block)
        if digest.hexdigest() != record["sha256"]:
            return None
        return FileRead(start=record["bytes"], lines=record["lines"], digest=digest)


def _size(info: dict[str, Any]) -> int | None:
    size = info.get("size")
    return size if isinstance(size, int) else None


def _fingerprint(info: dict[str, Any]) -> str:
    marker = (
        info.get("ETag")
        or info.get("etag")
        or info.get("md5Hash")
        or info.get("mtime")
        or info.get("LastModified")
        or info.get("last_modified")
        or info.get("created")
    )
    return f"{info.get('size')}:{marker}"


def _split_lines(data: memoryview) -> pa.Array:
    """The lines of a block as an Arrow string array, split by Arrow (ArrowInvalid if not UTF-8).

    The lines are copied by the split: the array does not refer to ``data``.
    """
    offsets = pa.array([0, len(data)], pa.int64())
    block = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets.buffers()[1], pa.py_buffer(data)])
    pieces = pc.split_pattern(block, "\n").flatten()
    return pieces.cast(pa.large_string()).cast(pa.string())


def _lines_table(data: memoryview, first_number: int) -> tuple[pa.Table, int]:
    """Split, number and decode lines (flagging invalid UTF-8), dropping blank ones; also the line count.

    Nothing returned refers to ``data``: the caller reuses its buffer.
    """
    try:
        texts = _split_lines(data)
        valid = pa.nulls(len(texts), pa.bool_()).fill_null(True)
    except pa.ArrowInvalid:
        pieces = bytes(data).split(b"\n")
        texts = pa.array([p.decode("utf-8", errors="replace") for p in pieces], pa.string())
        valid = pa.array([_is_utf8(p) for p in pieces], pa.bool_())
    numbers = pa.array(range(first_number, first_number + len(texts)), pa.int64())
    table = pa.Table.from_arrays([numbers, texts, valid], schema=LINES_SCHEMA)
    mask = _non_blank(texts)
    return (table if mask is None else table.filter(mask)), len(texts)


def _non_blank(texts: pa.Array) -> pa.Array | None:
    """Lines holding a non-whitespace character (None: all of them, nothing to filter).

    Only lines starting with whitespace are trimmed.
    """
    first = pc.utf8_slice_codeunits(texts, 0, 1)
    suspect = pc.or_(pc.equal(pc.utf8_length(first), 0), pc.utf8_is_space(first))
    positions = pc.indices_nonzero(suspect)
    if not len(positions):
        return None
    trimmed = pc.utf8_length(pc.utf8_trim_whitespace(texts.take(positions)))
    blank = pc.equal(trimmed, 0)
    mask = pc.invert(suspect).to_numpy(zero_copy_only=False).copy()
    mask[positions.to_numpy()] = pc.invert(blank).to_numpy(zero_copy_only=False)
    return pa.array(mask, pa.bool_())


def _is_utf8(piece: bytes) -> bool:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def lines_from_texts(texts: list[str], first_number: int) -> pa.Table:
    """Lines served by an API (one JSON document per record), numbered from ``first_number``."""
    numbers = pa.array(range(first_number, first_number + len(texts)), pa.int64())
    valid = pa.nulls(len(texts), pa.bool_()).fill_null(True)
    return pa.Table.from_arrays([numbers, pa.array(texts, pa.string()), valid], schema=LINES_SCHEMA)


def lines_from_json(records: Sequence[Any], first_number: int) -> pa.Table:
    """Records served by an API, each as its JSON bytes (or any buffer), numbered from ``first_number``.

    One join and one vectorised UTF-8 check for all of them; a record that is not valid UTF-8 is
    flagged (``utf8_ok`` false) like a landing line, the others are kept as they are.
    """
    data = b"".join(records)
    offsets = np.zeros(len(records) + 1, np.int64)
    np.cumsum([len(record) for record in records], out=offsets[1:])
    binary = pa.Array.from_buffers(
        pa.large_binary(), len(records), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    try:
        texts = binary.cast(pa.large_string()).cast(pa.string())
        valid = pa.nulls(len(records), pa.bool_()).fill_null(True)
    except pa.ArrowInvalid:
        pieces = [bytes(record) for record in records]
        texts = pa.array([p.decode("utf-8", errors="replace") for p in pieces], pa.string())
        valid = pa.array([_is_utf8(p) for p in pieces], pa.bool_())
    numbers = pa.array(np.arange(first_number, first_number + len(records), dtype=np.int64))
    return pa.Table.from_arrays([numbers, texts, valid], schema=LINES_SCHEMA)


def rewrite_horizon(files: list[LandingFile], lookback_days: int | None) -> date | None:
    """The oldest day whose file is still re-read when rewritten: ``lookback_days`` before the newest
    day of ``files`` (None: no day files, or no look-back, so every changed file is re-read)."""
    days = [f.day for f in files if f.day is not None]
    return max(days) - timedelta(days=lookback_days) if days and lookback_days is not None else None


def files_to_read(
    files: list[LandingFile], state: MutableMapping[str, Any], *, lookback_days: int | None
) -> list[LandingFile]:
    """The files not loaded yet, plus loaded ones that changed since.

    With ``lookback_days`` (GA4), a changed file is re-read only when its day lies within that many
    days of the newest day seen; older rewrites are ignored with a warning.
    """
    loaded: dict[str, str] = state.setdefault("files", {})
    horizon = rewrite_horizon(files, lookback_days)
    selected = []
    for file in files:
        previous = loaded.get(file.relative_path)
        if previous == file.fingerprint:
            continue
        if previous is not None and horizon is not None and file.day is not None and file.day < horizon:
            logger.warning(
                "%s changed after the %d-day look-back window; ignored", file.relative_path, lookback_days
            )
            continue
        selected.append(file)
    return selected


def appended_tails(
    landing: Landing, files: list[LandingFile], state: MutableMapping[str, Any]
) -> dict[str, FileRead]:
    """Of ``files`` loaded before, those a rewrite only appended lines to: the read of each tail."""
    contents: dict[str, Any] = state.get("contents", {})
    tails = {}
    for file in files:
        record = contents.get(file.relative_path)
        tail = landing.appended_tail(file, record) if record else None
        if tail is not None:
            tails[file.relative_path] = tail
    return tails


def mark_loaded(state: MutableMapping[str, Any], file: LandingFile, read: FileRead | None = None) -> None:
    """Record that a file was read into the current load package (and, when kept, what it held)."""
    state.setdefault("files", {})[file.relative_path] = file.fingerprint
    record = read.record() if read is not None else None
    if record is not None:
        state.setdefault("contents", {})[file.relative_path] = record
    elif "contents" in state:
        state["contents"].pop(file.relative_path, None)


def forget_settled_contents(state: MutableMapping[str, Any], horizon: date | None) -> None:
    """Drop what was read of files older than ``horizon``: their rewrites are never read again."""
    contents = state.get("contents", {})
    for path in list(contents):
        day = day_in_name(path)
        if horizon is None or day is None or day < horizon:
            del contents[path]
