"""Great Expectations suites are written in the project and guard real assets."""

from __future__ import annotations

import pandas as pd

from orchestration.defs.quality import load_suites, validate
from parcours.paths import DataDir


def test_every_suite_guards_an_asset_of_the_graph(data_dir: DataDir) -> None:
    from orchestration.definitions import defs

    keys = defs.resolve_asset_graph().get_all_asset_keys()
    suites = load_suites()
    assert {suite.name for suite in suites} >= {"raw_crm__contacts", "raw_ga4__events", "raw_pos__orders"}
    for suite in suites:
        assert suite.asset_key in keys, suite.name


def test_the_contacts_suite_rejects_clear_emails_and_duplicate_keys() -> None:
    suite = next(suite for suite in load_suites() if suite.name == "raw_crm__contacts")
    good = pd.DataFrame(
        {
            "contact_id": ["1", "2"],
            "email_hash": ["a" * 64, None],
            "phone_hash": [None, "b" * 64],
            "consent_analytics": ["granted", "denied"],
            "consent_email": ["denied", None],
        }
    )
    assert validate(suite, good)[0]
    bad = good.assign(contact_id=["1", "1"], email_hash=pd.Series(["marie@example.com", None]))
    passed, details = validate(suite, bad)
    assert not passed
    failed = {name for name, result in details.items() if not result["passed"]}
    assert failed == {
        "expect_column_values_to_be_unique(contact_id)",
        "expect_column_values_to_match_regex(email_hash)",
    }
