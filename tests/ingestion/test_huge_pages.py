"""Transparent huge pages are off while ingestion runs, and restored after it."""

from __future__ import annotations

import sys
import threading

import pytest

from ingestion.huge_pages import huge_pages_disabled, without_huge_pages

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or huge_pages_disabled() is None, reason="prctl THP flag: Linux only"
)


def test_huge_pages_are_off_inside_and_restored_when_the_last_holder_leaves() -> None:
    before = huge_pages_disabled()
    started, release = threading.Event(), threading.Event()
    seen_in_thread: list[bool | None] = []

    def other_source() -> None:
        with without_huge_pages():
            started.set()
            release.wait(timeout=10)
            seen_in_thread.append(huge_pages_disabled())

    with without_huge_pages():
        assert huge_pages_disabled() is True
        worker = threading.Thread(target=other_source)
        worker.start()
        assert started.wait(timeout=10)
    assert huge_pages_disabled() is True  # the other source still runs
    release.set()
    worker.join(timeout=10)
    assert seen_in_thread == [True]
    assert huge_pages_disabled() is before
