"""Dagster's local SQLite event log, with connections kept open instead of reopened per event.

Dagster's ``SqliteEventLogStorage`` builds a new SQLAlchemy engine, opens the database file,
commits and closes it again for every event it stores, and an asset or check event is written
to two files (the run's own shard and the cross-run index). Closing the last connection to a
WAL database checkpoints it, so each event costs several ``fsync`` calls: on a run of the full
pipeline (about 2,500 events, 800 of them "planned" events written before the first step
starts) that was a third of the run's wall time. This subclass stores exactly the same rows
in exactly the same files, so ``dagster dev`` and any stock Dagster process read them as
usual; it only

- keeps one engine per shard with its connection open (the index plus the few most recently
  written runs),
- touches the run's file after each event, so watchers (the UI's live run view) still see it, and
- sets ``synchronous=NORMAL`` on those WAL databases: commits no longer wait for the disk,
  checkpoints still do. A power cut may lose the last events of a run, never corrupt the
  file (SQLite's guarantee for WAL mode), which is the right trade for a local run history.

Configured in the instance's ``dagster.yaml`` (see ``orchestration.environment``).
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster._check as check
import sqlalchemy as sa
from dagster import Field, StringSource
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

#: Run shards whose engine stays open besides the index (a long-lived ``dagster dev`` sees
#: many runs; only the ones being written matter).
OPEN_RUN_SHARDS = 4
SQLITE_PRAGMAS = ("PRAGMA synchronous=NORMAL",)


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one open connection per shard instead of one per event."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        """``base_dir``: folder of the per-run databases, by default Dagster's own ``history/runs``."""
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        """Build the storage from the ``event_log_storage.config`` block of ``dagster.yaml``."""
        base_dir = config_value.get("base_dir") or default_base_dir()
        return cls(base_dir=str(base_dir), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        """A connection to ``shard`` inside a transaction, from that shard's open engine."""
        with self._db_lock:
            check.str_param(shard, "shard")
            engine = self._engine(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def store_event(self, event: EventLogEntry) -> None:
        """Store the event as Dagster does, then let watchers of its run know."""
        super().store_event(event)
        self._announce(event.run_id)

    def _announce(self, run_id: str) -> None:
        """Touch the run's database file: Dagster's watchers (the UI's live view of a run) wait
        for that file to change, and with the connection kept open new events only reach the
        write-ahead log beside it until the next checkpoint."""
        with contextlib.suppress(FileNotFoundError):
            os.utime(self.path_for_shard(run_id))

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,  # one connection, used under the storage's lock
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _set_pragmas)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        self._close_oldest_run_shards()
        return engine

    def _close_oldest_run_shards(self) -> None:
        runs = [shard for shard in self._engines if shard != INDEX_SHARD_NAME]
        for shard in runs[: max(0, len(runs) - OPEN_RUN_SHARDS)]:
            self._engines.pop(shard).dispose()

    def dispose(self) -> None:
        """Close every open connection, then what the parent class holds."""
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()

    def wipe(self) -> None:
        """Close the open run shards before the parent class removes their files."""
        with self._db_lock:
            for shard in [shard for shard in self._engines if shard != INDEX_SHARD_NAME]:
                self._engines.pop(shard).dispose()
        super().wipe()


def default_base_dir() -> str:
    """Where Dagster's default SQLite storage keeps the per-run databases: ``$DAGSTER_HOME/history/runs``."""
    return str(Path(os.environ["DAGSTER_HOME"]) / "history" / "runs")


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
