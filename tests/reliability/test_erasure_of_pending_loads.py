"""Point 9, leftover load files: a run that stopped between normalize and load leaves a dlt load
package on disk, holding the records it read (personal data included). ``parcours erase`` removes
it with its pipeline's local state; the next run restores the committed state from the warehouse,
reads the files again through the suppression list, and loads every other record exactly once.
The restricted copies waiting for their pipeline lose the person too, and a rewrite of one that
an earlier erasure left unfinished is deleted.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from ingestion import crm_source, run_ingestion
from ingestion.handoff import handoff_files
from ingestion.pii import load_pii_key
from ingestion.pipelines import make_pipeline, pipelines_dir
from parcours.erasure import ErasureRequest, erase
from parcours.paths import DataDir
from tests.reliability.conftest import query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _leave_a_pending_package(data: DataDir) -> None:
    later = time.time() + 60
    for path in (data.landing / "crm").rglob("*.jsonl"):
        os.utime(path, (later, later))  # changed files: read again
    pipeline = make_pipeline("crm", data)
    source = crm_source(landing_url=str(data.landing), pii_key=load_pii_key(data))
    pipeline.extract(source, loader_file_format="parquet")
    pipeline.normalize()  # ... and the process stops before load


def _handed_over(data: DataDir, email: str) -> int:
    """Hand-off rows (ingestion.handoff) holding a clear e-mail address."""
    files = [str(path) for path in handoff_files(pipelines_dir(data)) if "contacts" in path.name]
    with duckdb.connect() as con:
        return int(
            con.execute(
                "select count(*) from read_parquet(?, union_by_name = true) where email = ?", [files, email]
            ).fetchone()[0]  # type: ignore[index]
        )


def _leave_an_unfinished_rewrite(data: DataDir, email: str) -> Path:
    """Another hand-off file of the stopped run, without the person, and the rewrite of it that an
    earlier erasure (of someone else) wrote beside it and was killed before swapping in."""
    contacts = next(path for path in handoff_files(pipelines_dir(data)) if "contacts" in path.name)
    other = contacts.with_name("contacts_99.parquet")
    with duckdb.connect() as con:
        con.execute(
            "create table others as select * from read_parquet(?) where email is distinct from ?",
            [str(contacts), email],
        )
        con.execute(f"copy others to '{other}' (format parquet)")
    unfinished = other.with_name(f".{other.name}.erasure")
    shutil.copyfile(other, unfinished)
    return unfinished


def test_erasure_removes_pending_load_packages_and_the_next_run_loads_everyone_else_once(
    copy_of_first: DataDir,
) -> None:
    data = copy_of_first
    contacts_before = query(data.warehouse, "select count(*) from raw_crm.contacts")[0][0]
    contact_id, email = query(
        data.warehouse,
        "select c.contact_id, c.email from restricted_crm.contacts as c "
        "inner join intermediate.int_identity__record_customers as r "
        "on r.record_type = 'contact' and r.record_id = c.contact_id "
        "where c.email is not null and r.customer_key is not null order by c.contact_id limit 1",
    )[0]
    _leave_a_pending_package(data)
    pending = list((pipelines_dir(data) / "parcours_crm" / "load" / "normalized").rglob("*.parquet"))
    assert pending, "the stopped run must leave its normalized package behind"
    assert _handed_over(data, email), "... and the clear values its parse handed over"
    unfinished = _leave_an_unfinished_rewrite(data, email)

    report = erase(data, ErasureRequest("email", email))

    assert report.load_files_removed >= len(pending)
    assert report.handoff_rows_deleted >= 1 and not _handed_over(data, email)
    assert not unfinished.exists(), "the rewrite an earlier erasure left unfinished is deleted"
    assert not (pipelines_dir(data) / "parcours_crm").exists()
    ingestion = run_ingestion(data, sources=["crm"])
    assert ingestion.balanced
    rows, distinct, erased = query(
        data.warehouse,
        "select count(*), count(distinct contact_id), count(*) filter (where contact_id = ?) "
        "from raw_crm.contacts",
        [contact_id],
    )[0]
    assert (rows, distinct, erased) == (contacts_before - 1, contacts_before - 1, 0)
    suppressed = query(
        data.warehouse, "select count(*) from raw_crm.quarantine where reason_code = 'suppressed'"
    )[0][0]
    assert suppressed >= 1
