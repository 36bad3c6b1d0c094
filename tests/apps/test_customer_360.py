"""Customer 360: look-ups by key, loyalty card and hashed e-mail; personal values are never shown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from apps.queries.customer_360 import mask_identifier
from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frames, metrics, shown_text
from tests.apps.world import C1_EMAIL, C1_LOYALTY_CARD


def _look_up(app: AppTest, kind: str, value: str) -> AppTest:
    app.button_group(key="lookup-kind").set_value(kind).run()
    app.text_input(key="lookup-value").input(value)
    return app.button[0].click().run()


def test_customer_key_in_the_url_shows_the_profile_timeline_and_identity(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("customer_360", customer="c1")
    assert not app.exception
    assert metrics(app)["Orders"] == "3"
    timeline = next(frame for frame in frames(app) if "touchpoint_type" in frame.columns)
    assert len(timeline) == 4
    merges = next(frame for frame in frames(app) if "retired_customer_key" in frame.columns)
    assert merges["retired_customer_key"].tolist() == ["c9"]


def test_a_retired_key_leads_to_the_customer_it_was_merged_into(world: DataDir, run_page: RunPage) -> None:
    app = _look_up(run_page("customer_360"), "Customer key", "c9")
    assert not app.exception
    assert any("merged into c1" in info.value for info in app.info)
    assert app.text_input(key="customer").value == "c1"


def test_loyalty_card_look_up_ignores_spaces(world: DataDir, run_page: RunPage) -> None:
    spaced = f"{C1_LOYALTY_CARD[:6]} {C1_LOYALTY_CARD[6:]}"
    app = _look_up(run_page("customer_360"), "Loyalty card number", spaced)
    assert app.text_input(key="customer").value == "c1"
    assert C1_LOYALTY_CARD not in shown_text(app)


def test_email_look_up_compares_the_keyed_hash_and_never_shows_the_address(
    world: DataDir, run_page: RunPage
) -> None:
    app = _look_up(run_page("customer_360"), "E-mail address", f"  {C1_EMAIL.upper()} ")
    assert not app.exception
    assert app.text_input(key="customer").value == "c1"
    text = shown_text(app).lower()
    assert C1_EMAIL.lower() not in text
    assert "c1" in str(app.query_params.get("customer", "c1"))


def test_an_unknown_email_says_so(world: DataDir, run_page: RunPage) -> None:
    app = _look_up(run_page("customer_360"), "E-mail address", "nobody@example.com")
    assert any("No customer is known by this e-mail address" in info.value for info in app.info)


def test_identifiers_are_masked(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customer_360", customer="c1")
    identifiers = next(frame for frame in frames(app) if "identifier_type" in frame.columns)
    assert "identifier_value" not in identifiers.columns
    card = identifiers.set_index("identifier_type").loc["loyalty_card_number", "identifier"]
    assert card == f"•••• {C1_LOYALTY_CARD[-4:]}"
    assert C1_LOYALTY_CARD not in shown_text(app)


@pytest.mark.parametrize(
    ("identifier_type", "value", "masked"),
    [
        ("email_hash", "a" * 64, "aaaaaaaa…"),
        ("loyalty_card_number", "LC-0000123456", "•••• 3456"),
        ("social_handle", "marseille_fan", "m••••••••••••"),
        ("crm_contact_id", "crm-1", "crm-1"),
        ("something_new", "secret", "•••"),
    ],
)
def test_mask_identifier(identifier_type: str, value: str, masked: str) -> None:
    assert mask_identifier(identifier_type, value) == masked
