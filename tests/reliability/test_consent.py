"""Point 10: records without analytics consent are kept out of stitching.

Read from the raw consent signals (the CRM contact's ``consent_analytics``, GA4's
``privacy_info.analytics_storage``), never from the model's own flags: a contact who refused and a
browser that never granted analytics storage get no customer key anywhere, so no touchpoint of
theirs can be stitched to a customer (nor credited to one by attribution, which reads customer
keys), and their identifiers are not in the customer bridge.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import Builds, query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

REFUSED_CONTACTS = "select contact_id from raw_crm.contacts where consent_analytics = 'denied'"
REFUSED_COOKIES = (
    "select user_pseudo_id from raw_ga4.events group by user_pseudo_id "
    "having not bool_or(coalesce(privacy_info_analytics_storage, 'Yes') <> 'No')"
)


def test_contacts_who_refused_analytics_get_no_customer_key(builds: Builds) -> None:
    warehouse = builds.first.data.warehouse
    keys = query(
        warehouse,
        "select customer_key, unstitched_reason from intermediate.int_identity__record_customers "
        f"where record_type = 'contact' and record_id in ({REFUSED_CONTACTS})",
    )
    assert len(keys) >= 5
    assert all(key is None and reason == "refused_consent" for key, reason in keys)


def test_browsers_without_analytics_storage_get_no_customer_key(builds: Builds) -> None:
    warehouse = builds.first.data.warehouse
    keys = query(
        warehouse,
        "select customer_key from intermediate.int_identity__record_customers "
        f"where record_type = 'ga4_cookie' and record_id in ({REFUSED_COOKIES})",
    )
    assert len(keys) >= 5
    assert all(key is None for (key,) in keys)


def test_touchpoints_of_refused_records_are_not_stitched_to_a_customer(builds: Builds) -> None:
    warehouse = builds.first.data.warehouse
    refused = query(
        warehouse,
        "select count(*), count(customer_key) from marts.fct_touchpoints "
        f"where (record_type = 'ga4_cookie' and record_id in ({REFUSED_COOKIES})) "
        f"or (record_type = 'contact' and record_id in ({REFUSED_CONTACTS}))",
    )[0]
    assert refused[0] > 0
    assert refused[1] == 0
    stitched = query(warehouse, "select count(customer_key) from marts.fct_touchpoints")[0][0]
    assert stitched > 0  # stitching works for everyone else


def test_refused_contacts_identifiers_are_not_in_the_customer_bridge(builds: Builds) -> None:
    # a family e-mail (link_status shared) may be listed for the relative who consented
    warehouse = builds.first.data.warehouse
    leaked = query(
        warehouse,
        "select count(*) from marts.bridge_customer_identifiers as b "
        "inner join raw_crm.contacts as c on b.identifier_value in (c.email_hash, c.contact_id) "
        "where c.consent_analytics = 'denied' and b.link_status = 'linking'",
    )[0][0]
    assert leaked == 0
    kept = query(
        warehouse,
        "select count(*) from marts.bridge_customer_identifiers as b "
        "inner join raw_crm.contacts as c on b.identifier_value in (c.email_hash, c.contact_id) "
        "where c.consent_analytics = 'granted'",
    )[0][0]
    assert kept > 0
