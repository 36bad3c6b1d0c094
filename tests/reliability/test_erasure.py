"""Point 9: ``parcours erase`` removes a whole person from every file of the data directory.

On a copy of a built data directory, five people are erased with the real command, each by another
identifier (e-mail, phone, loyalty number, social handle, customer key). Before, a byte search
finds each person's values (clear e-mail and phone, loyalty number, handle, contact id, cookie ids,
keyed hashes, customer key) in the warehouse and the published snapshot; after, in no file at all.
Two places are left out of the search, by design: the landing zone, which is the source systems'
own export (the person must be erased there too; until then the suppression list keeps them out),
and the simulator's ground truth. The suppression list and the audit log hold the keyed hashes of
the erased identifiers (that is their job), never a clear value.

Then every landing file is touched so the next ingestion reads them all again: the erased people's
records are quarantined as ``suppressed`` without payload, reconciliation still balances, and their
values stay out of the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingestion import run_ingestion
from ingestion.pii import hash_email, hash_phone, load_pii_key
from parcours.erasure import AUDIT_FILE, ErasureError, ErasureRequest, erase
from parcours.paths import HOME_ENV_VAR, DataDir
from tests.reliability.conftest import Builds, files_containing, query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

NEVER_SEARCHED = ("landing", "truth")
HOLD_KEYED_HASHES = ("privacy", f"logs/{AUDIT_FILE}")
KINDS = ("email", "phone", "loyalty_number", "social_handle", "customer_key")


@dataclass
class Person:
    """One person to erase: how we ask for it, and every value of theirs to look for."""

    kind: str
    value: str
    clear: dict[str, bytes] = field(default_factory=dict)
    hashed: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Erased:
    """The data directory after the erasures, and what the byte searches found."""

    data: DataDir
    people: list[Person]
    before: dict[str, list[str]]
    after: dict[str, list[str]]
    reports: list[dict[str, object]]
    after_reingestion: dict[str, list[str]]
    reingestion_balanced: bool


PEOPLE_SQL = """
with customers as (
    select rc.customer_key, c.contact_id, c.email, c.phone, r.country, r.loyalty_card_number,
        nullif(ltrim(lower(trim(r.social_handle)), '@'), '') as handle,
        count(*) over (partition by rc.customer_key) as contacts
    from intermediate.int_identity__record_customers as rc
    inner join restricted_crm.contacts as c on rc.record_type = 'contact' and rc.record_id = c.contact_id
    inner join raw_crm.contacts as r on r.contact_id = c.contact_id
    inner join intermediate.int_identity__identifiers as i
        on i.identifier_namespace = 'email_hash' and i.identifier_value = r.email_hash
    where rc.customer_key is not null and i.link_status = 'linking'
),
sizes as (
    select customer_key, count(*) as records, count(distinct record_type) as record_types
    from intermediate.int_identity__record_customers group by customer_key
)
select customers.*, sizes.records
from customers inner join sizes using (customer_key)
where contacts = 1 and email is not null
order by sizes.record_types desc, sizes.records desc, customer_key
"""


def _pick_people(data: DataDir) -> list[Person]:
    rows = query(data.warehouse, PEOPLE_SQL)
    wanted = {
        "email": lambda row: True,
        "phone": lambda row: row[3] is not None and row[4] in (None, "FR"),
        "loyalty_number": lambda row: row[5] is not None,
        "social_handle": lambda row: row[6] is not None,
        "customer_key": lambda row: True,
    }
    people, used = [], set()
    for kind in KINDS:
        row = next(row for row in rows if row[0] not in used and wanted[kind](row))
        used.add(row[0])
        people.append(_person(data, kind, row))
    return people


def _person(data: DataDir, kind: str, row: tuple[object, ...]) -> Person:
    customer_key, contact_id, email, phone, country, loyalty, handle = (
        str(v) if v else None for v in row[:7]
    )
    value = {"email": email, "phone": phone, "loyalty_number": loyalty, "social_handle": handle}.get(
        kind, customer_key
    )
    assert value is not None
    key = load_pii_key(data)
    person = Person(kind, value)
    person.clear = {
        name: text.encode()
        for name, text in (("email", email), ("phone", phone), ("loyalty", loyalty), ("handle", handle))
        if text
    }
    person.hashed = {"customer_key": str(customer_key).encode(), "contact_id": str(contact_id).encode()}
    person.hashed["email_hash"] = str(hash_email(email, key)).encode()
    if phone:
        person.hashed["phone_hash"] = str(hash_phone(phone, key, country)).encode()
    cookies = query(
        data.warehouse,
        "select record_id from intermediate.int_identity__record_customers "
        "where customer_key = ? and record_type = 'ga4_cookie' order by record_id",
        [customer_key],
    )
    for (cookie,) in cookies:
        person.clear[f"cookie {cookie}"] = str(cookie).encode()
    return person


def _needles(people: list[Person], *, hashed: bool) -> dict[str, bytes]:
    needles = {}
    for index, person in enumerate(people):
        values = person.hashed if hashed else person.clear
        needles.update({f"{index}:{person.kind}:{name}": value for name, value in values.items()})
    return needles


def _search(data: DataDir, people: list[Person]) -> dict[str, list[str]]:
    found = files_containing(data.root, _needles(people, hashed=False), skip=NEVER_SEARCHED)
    for path, hits in files_containing(
        data.root, _needles(people, hashed=True), skip=NEVER_SEARCHED + HOLD_KEYED_HASHES
    ).items():
        found.setdefault(path, []).extend(hits)
    return found


def _erase_with_the_command(data: DataDir, person: Person) -> dict[str, object]:
    option = "--" + person.kind.replace("_", "-")
    parcours = str(Path(sys.executable).with_name("parcours"))
    result = subprocess.run(
        [parcours, "--data-dir", str(data.root), "erase", option, person.value],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout))


def _touch_landing(data: DataDir) -> None:
    later = time.time() + 60
    for path in data.landing.rglob("*.jsonl"):
        os.utime(path, (later, later))


@pytest.fixture(scope="module")
def erased(builds: Builds, tmp_path_factory: pytest.TempPathFactory) -> Erased:
    data = DataDir(tmp_path_factory.mktemp("erasure") / "home")
    shutil.copytree(builds.first.data.root, data.root, symlinks=True)
    people = _pick_people(data)
    before = _search(data, people)
    reports = [_erase_with_the_command(data, person) for person in people]
    after = _search(data, people)
    _touch_landing(data)
    previous = os.environ.get(HOME_ENV_VAR)
    os.environ[HOME_ENV_VAR] = str(data.root)
    try:
        report = run_ingestion(data)
    finally:
        if previous is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous
    return Erased(data, people, before, after, reports, _search(data, people), report.balanced)


def test_before_erasure_the_byte_search_finds_every_person(erased: Erased) -> None:
    found = {hit.split(":")[0] for hits in erased.before.values() for hit in hits}
    assert found == {str(index) for index in range(len(erased.people))}
    warehouse_hits = set(erased.before["warehouse/parcours.duckdb"])
    assert warehouse_hits == set(_needles(erased.people, hashed=False)) | set(
        _needles(erased.people, hashed=True)
    )
    assert any(path.startswith("serving/snapshot_") for path in erased.before)


def test_after_erasure_no_file_holds_any_value_of_the_erased_people(erased: Erased) -> None:
    assert erased.after == {}


def test_each_erasure_found_the_whole_person_and_compacted_the_warehouse(erased: Erased) -> None:
    for person, report in zip(erased.people, erased.reports, strict=True):
        records = report["records"]
        assert isinstance(records, dict) and records.get("contact") == 1, (person.kind, report)
        assert report["customer_keys"], report
        deleted = report["rows_deleted"]
        assert isinstance(deleted, dict)
        assert {"raw_crm.contacts", "restricted_crm.contacts", "marts.dim_customers"} <= set(deleted)
        assert "intermediate.int_identity__key_registry" in deleted  # survives full refreshes
        # the graph's rows hold integer node ids only: deleted by component, not by value
        assert {"intermediate.int_identity__components", "intermediate.int_identity__edges"} <= set(deleted)
        assert report["snapshots_rewritten"] and report["snapshot_rows_deleted"]
        assert report["suppressed_added"]


def test_every_erasure_is_audited_without_clear_personal_data(erased: Erased) -> None:
    lines = (erased.data.logs / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["erasure_id"] for line in lines] == [r["erasure_id"] for r in erased.reports]
    audit = (erased.data.logs / AUDIT_FILE).read_bytes()
    assert not [name for name, value in _needles(erased.people, hashed=False).items() if value in audit]


def test_reingested_records_of_erased_people_are_suppressed_and_reconciled(erased: Erased) -> None:
    assert erased.reingestion_balanced
    suppressed = query(
        erased.data.warehouse,
        "select count(*), count(raw_payload) from raw_crm.quarantine where reason_code = 'suppressed'",
    )[0]
    assert suppressed[0] >= len(erased.people)  # each person's contact, read again
    assert suppressed[1] == 0  # counted, never kept
    assert erased.after_reingestion == {}


def test_the_data_still_builds_after_erasure(erased: Erased) -> None:
    contacts = query(erased.data.warehouse, "select count(*) from raw_crm.contacts")[0][0]
    assert contacts > 100
    # views of the compacted warehouse still resolve
    assert query(erased.data.warehouse, "select count(*) from staging.stg_crm__contacts")[0][0] > 100


def test_an_identifier_shared_by_several_people_is_refused(erased: Erased) -> None:
    shared = query(
        erased.data.warehouse,
        "select r.contact_id from raw_crm.contacts as r "
        "inner join intermediate.int_identity__identifiers as i "
        "on i.identifier_namespace = 'email_hash' and i.identifier_value = r.email_hash "
        "where i.link_status = 'shared' order by r.contact_id limit 1",
    )
    assert shared, "the simulated world has family e-mails shared by several people"
    email = query(
        erased.data.warehouse,
        "select email from restricted_crm.contacts where contact_id = ?",
        [shared[0][0]],
    )[0][0]
    with pytest.raises(ErasureError, match="shared"):
        erase(erased.data, ErasureRequest("email", email))
