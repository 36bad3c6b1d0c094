"""Pairwise identity metrics and stage accuracy on a tiny world computed by hand."""

import json
from pathlib import Path

import duckdb
import pytest

from parcours.evaluate import evaluate

# (source, record_type, record_id, identifier_type, identifier_value)
OBSERVATIONS = [
    ("crm", "contact", "c1", "email_hash", "E1"),
    ("crm", "contact", "c1", "loyalty_card_number", "L1"),
    ("crm", "contact", "c1", "crm_contact_id", "c1"),
    ("crm", "contact", "c2", "email_hash", "E1"),
    ("crm", "contact", "c3", "email_hash", "E2"),
    ("pos", "pos_order", "o1", "loyalty_card_number", "L1"),
    ("pos", "pos_order", "o2", "loyalty_card_number", "L2"),
    ("ga4", "ga4_cookie", "k1", "crm_contact_id", "c1"),
]
# The pipeline wrongly merged the cookie k1 (person 1) with contact c3 (person 2).
CUSTOMERS = {"c1": "X", "c2": "X", "o1": "X", "k1": "Y", "c3": "Y", "o2": "Z"}
TRUE_PERSON = {"c1": 1, "c2": 1, "o1": 1, "k1": 1, "c3": 2, "o2": 2}


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    warehouse = tmp_path / "warehouse.duckdb"
    truth = tmp_path / "truth"
    truth.mkdir()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema intermediate; create schema marts")
        connection.execute(
            "create table intermediate.int_identity__observations (source varchar, record_type varchar, "
            "record_id varchar, identifier_type varchar, identifier_value varchar)"
        )
        connection.executemany(
            "insert into intermediate.int_identity__observations values (?, ?, ?, ?, ?)", OBSERVATIONS
        )
        records = sorted({(source, kind, record) for source, kind, record, _, _ in OBSERVATIONS})
        connection.execute(
            "create table intermediate.int_identity__record_customers (source varchar, record_type varchar, "
            "record_id varchar, customer_key varchar)"
        )
        connection.executemany(
            "insert into intermediate.int_identity__record_customers values (?, ?, ?, ?)",
            [(source, kind, record, CUSTOMERS[record]) for source, kind, record in records],
        )
        connection.execute(
            "create table marts.dim_customers as select * from (values ('X', 'loyalty'), "
            "('Y', 'conversion'), ('Z', 'awareness')) as t(customer_key, current_funnel_stage)"
        )
        connection.execute(
            "create table intermediate.int_segments__customer_personas as select * from (values "
            "('X', 'ropo'), ('Y', 'showroomer'), ('Z', 'ropo')) as t(customer_key, persona_segment)"
        )
    with duckdb.connect() as connection:
        rows = [(s, k, r, TRUE_PERSON[r]) for s, k, r in records if k != "ga4_cookie"]
        connection.execute(
            "create table records (source varchar, record_type varchar, record_id varchar, person_id bigint)"
        )
        connection.executemany("insert into records values (?, ?, ?, ?)", rows)
        connection.execute(f"copy records to '{truth / 'records.parquet'}' (format parquet)")
        connection.execute(
            f"copy (select 'ga4_user_pseudo_id' as identifier_type, 'k1' as identifier_value, 1::bigint as "
            f"person_id) to '{truth / 'identifiers.parquet'}' (format parquet)"
        )
        connection.execute(
            f"copy (select * from (values (1::bigint, date '2026-10-01', 'conversion'), "
            f"(1, date '2026-10-20', 'loyalty'), (2, date '2026-10-05', 'consideration')) "
            f"as t(person_id, valid_from, funnel_stage)) "
            f"to '{truth / 'stage_history.parquet'}' (format parquet)"
        )
    _write_persons(truth, refused_analytics=set())
    return warehouse, truth


TRUE_PERSONA = {1: "ropo", 2: "showroomer"}


def _write_persons(truth: Path, refused_analytics: set[int]) -> None:
    rows = [
        (person, person not in refused_analytics, TRUE_PERSONA[person])
        for person in sorted(set(TRUE_PERSON.values()))
    ]
    with duckdb.connect() as connection:
        connection.execute(
            "create table persons (person_id bigint, consent_analytics boolean, persona varchar)"
        )
        connection.executemany("insert into persons values (?, ?, ?)", rows)
        connection.execute(f"copy persons to '{truth / 'persons.parquet'}' (format parquet)")


def test_identity_precision_counts_wrongly_merged_pairs(world: tuple[Path, Path]) -> None:
    metrics = evaluate(*world)
    assert metrics["identity_pairs_predicted"] == 4
    assert metrics["identity_precision"] == pytest.approx(3 / 4)


def test_stage_accuracy_leaves_out_people_who_refused_analytics_consent(world: tuple[Path, Path]) -> None:
    # Person 1 (right) refused: only person 2 (wrong) is scored; stage_accuracy_all_persons keeps both.
    warehouse, truth = world
    _write_persons(truth, refused_analytics={1})
    metrics = evaluate(warehouse, truth)
    assert metrics["stage_persons_compared"] == 1
    assert metrics["stage_accuracy"] == pytest.approx(0.0)
    assert metrics["stage_confusion"] == {"consideration": {"conversion": 1}}
    assert metrics["stage_persons_all"] == 2
    assert metrics["stage_accuracy_all_persons"] == pytest.approx(1 / 2)


def test_identity_recall_counts_only_pairs_linked_by_personal_identifiers(world: tuple[Path, Path]) -> None:
    metrics = evaluate(*world)
    assert metrics["identity_pairs_linkable"] == 6
    assert metrics["identity_recall"] == pytest.approx(3 / 6)


def test_stage_accuracy_per_customer_compares_each_customer_with_its_majority_person(
    world: tuple[Path, Path],
) -> None:
    metrics = evaluate(*world)
    assert metrics["stage_customers_compared"] == 3
    assert metrics["stage_accuracy_per_customer"] == pytest.approx(1 / 3)


def test_stage_accuracy_scores_each_person_once_on_the_profile_with_most_identified_records(
    world: tuple[Path, Path],
) -> None:
    # Person 1: X holds c1, c2, o1 (3 identified), Y only the cookie k1 -> X, loyalty = loyalty.
    # Person 2: Y (c3) and Z (o2) hold one identified record each -> Y, conversion != consideration.
    metrics = evaluate(*world)
    assert metrics["stage_persons_compared"] == 2
    assert metrics["stage_accuracy"] == pytest.approx(1 / 2)
    # Only person 2 had no stage when the data starts (person 1 was already converted).
    assert metrics["stage_persons_history_in_data"] == 1
    assert metrics["stage_accuracy_history_in_data"] == pytest.approx(0.0)


def _write_touchpoints(warehouse: Path, touchpoints_per_record: dict[str, int]) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        records = connection.execute(
            "select source, record_type, record_id from intermediate.int_identity__record_customers"
        ).fetchall()
        connection.execute(
            "create table marts.fct_touchpoints "
            "(record_source varchar, record_type varchar, record_id varchar)"
        )
        connection.executemany(
            "insert into marts.fct_touchpoints values (?, ?, ?)",
            [record for record in records for _ in range(touchpoints_per_record.get(record[2], 0))],
        )


def _show_stage(warehouse: Path, customer_key: str, stage: str) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.dim_customers set current_funnel_stage = ? where customer_key = ?",
            [stage, customer_key],
        )


@pytest.mark.parametrize(("touchpoints", "accuracy"), [({"o2": 2, "c3": 1}, 1.0), ({"o2": 1, "c3": 2}, 0.5)])
def test_stage_accuracy_breaks_a_tie_of_identified_records_by_the_persons_touchpoints(
    world: tuple[Path, Path], touchpoints: dict[str, int], accuracy: float
) -> None:
    # Person 2 (consideration): Y holds c3, Z holds o2, one identified record each; Z shows it right.
    warehouse, truth = world
    _show_stage(warehouse, "Z", "consideration")
    _write_touchpoints(warehouse, touchpoints)
    assert evaluate(warehouse, truth)["stage_accuracy"] == pytest.approx(accuracy)


def test_stage_accuracy_does_not_choose_a_profile_by_its_social_mentions(world: tuple[Path, Path]) -> None:
    # o2 becomes a mention by a handle nothing links: Y keeps person 2's one identified record, c3.
    warehouse, truth = world
    with duckdb.connect(str(warehouse)) as connection:
        for table in ("int_identity__observations", "int_identity__record_customers"):
            connection.execute(
                f"update intermediate.{table} set record_type = 'mention' where record_id = 'o2'"
            )
    _rewrite_truth_records(truth, "update records set record_type = 'mention' where record_id = 'o2'")
    _show_stage(warehouse, "Z", "consideration")
    _write_touchpoints(warehouse, {"o2": 5})
    assert evaluate(warehouse, truth)["stage_accuracy"] == pytest.approx(1 / 2)


def _rewrite_truth_records(truth: Path, statement: str) -> None:
    records = truth / "records.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create table records as select * from '{records}'")
        connection.execute(statement)
        connection.execute(f"copy records to '{records}' (format parquet)")


def test_a_record_exported_several_times_is_evaluated_once(world: tuple[Path, Path]) -> None:
    # The simulator writes a truth row per exported line: a CRM contact changed on three days has three.
    warehouse, truth = world
    _rewrite_truth_records(truth, "insert into records select * from records where record_id = 'c1' limit 1")
    _rewrite_truth_records(truth, "insert into records select * from records where record_id = 'c1' limit 1")
    metrics = evaluate(warehouse, truth)
    assert metrics["records_evaluated"] == 6
    assert metrics["identity_pairs_predicted"] == 4
    assert metrics["identity_precision"] == pytest.approx(3 / 4)


def test_stage_confusion_counts_persons_by_true_and_profile_stage(world: tuple[Path, Path]) -> None:
    # Person 1: loyalty, profile X shows loyalty. Person 2: consideration, profile Y shows conversion.
    metrics = evaluate(*world)
    assert metrics["stage_confusion"] == {"consideration": {"conversion": 1}, "loyalty": {"loyalty": 1}}


def _move_record(warehouse: Path, record_id: str, customer_key: str | None) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update intermediate.int_identity__record_customers set customer_key = ? where record_id = ?",
            [customer_key, record_id],
        )


def test_stage_errors_by_cause_finds_records_on_another_customer(world: tuple[Path, Path]) -> None:
    # Person 2 (wrong on profile Y) has the store order o2 on customer Z.
    metrics = evaluate(*world)
    assert metrics["stage_errors_by_cause"] == {
        "records_on_other_customers": 1,
        "records_unresolved": 0,
        "all_records_on_profile": 0,
    }


@pytest.mark.parametrize(
    ("o2_customer", "cause"), [(None, "records_unresolved"), ("Y", "all_records_on_profile")]
)
def test_stage_errors_by_cause_tells_unresolved_records_from_a_complete_profile(
    world: tuple[Path, Path], o2_customer: str | None, cause: str
) -> None:
    warehouse, truth = world
    _move_record(warehouse, "o2", o2_customer)
    metrics = evaluate(warehouse, truth)
    assert metrics["stage_accuracy"] == pytest.approx(1 / 2)
    assert sum(metrics["stage_errors_by_cause"].values()) == 1
    assert metrics["stage_errors_by_cause"][cause] == 1


def test_persona_purity_and_match_rate_score_buyers_against_their_majority_person(
    world: tuple[Path, Path],
) -> None:
    # X: person 1 (ropo), predicted ropo. Y: k1 and c3 tie, the smaller person 1 wins (ropo),
    # predicted showroomer. Z: person 2 (showroomer), predicted ropo. Segment ropo holds one ropo
    # and one showroomer (purest 1 of 2), segment showroomer one ropo (1 of 1): purity 2/3;
    # one name of three matches.
    metrics = evaluate(*world)
    assert metrics["persona_customers_compared"] == 3
    assert metrics["persona_purity"] == pytest.approx(2 / 3)
    assert metrics["persona_match_rate"] == pytest.approx(1 / 3)


def test_identity_recall_leaves_out_people_who_refused_analytics_consent(world: tuple[Path, Path]) -> None:
    warehouse, truth = world
    _write_persons(truth, refused_analytics={1})
    metrics = evaluate(warehouse, truth)
    assert metrics["identity_pairs_linkable"] == 0
    assert metrics["identity_recall"] is None
    assert metrics["identity_precision"] == pytest.approx(3 / 4)


# Markov credits of touches (channel, channel_group, touchpoint_id, credit); the linear model
# credits the same touches 0.5 each. Lift of the simulator:
# paid_search 2.2 > email 1.6 > sms 1.4 > display 1.1.
MARKOV_TOUCHES = [
    ("web", "Paid Search", "t1", 0.9),
    ("email", "email", "t2", 0.6),
    ("web", "Email", "t3", 0.2),
    ("web", "SMS", "t4", 0.5),
    *[("web", "Display", f"d{i}", 0.025) for i in range(4)],
]
CREDITS = [
    *[("markov", *touch) for touch in MARKOV_TOUCHES],
    ("markov", "web", "Direct", "t5", 0.7),
    ("markov", "(none)", "(none)", None, 1.0),
    *[("linear", channel, group, touchpoint, 0.5) for channel, group, touchpoint, _ in MARKOV_TOUCHES],
]


# Exposures in fct_touchpoints (channel, sub_channel, touchpoint_type): paid_search 1, email 4
# (an open, a click, a web visit from an e-mail, another open), sms 1, display 4; a direct
# visit and an e-mail delivery are no exposure to a simulator channel.
TOUCHPOINTS = [
    ("web", "Paid Search", "web_session"),
    ("email", "email", "email_open"),
    ("email", "email", "email_click"),
    ("email", "email", "email_open"),
    ("web", "Email", "web_session"),
    ("web", "SMS", "web_session"),
    *[("web", "Display", "web_session")] * 4,
    ("web", "Direct", "web_session"),
    ("email", "email", "email_delivered"),
]


def _write_attribution(warehouse: Path, truth: Path) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table marts.fct_touchpoints (channel varchar, sub_channel varchar, "
            "touchpoint_type varchar, record_source varchar, record_type varchar, record_id varchar)"
        )
        connection.executemany(
            "insert into marts.fct_touchpoints values (?, ?, ?, null, null, null)", TOUCHPOINTS
        )
        connection.execute(
            "create table marts.fct_attribution_credits (attribution_model varchar, channel varchar, "
            "channel_group varchar, touchpoint_id varchar, credit double)"
        )
        connection.executemany("insert into marts.fct_attribution_credits values (?, ?, ?, ?, ?)", CREDITS)
    lift = {"paid_search": 2.2, "email": 1.6, "sms": 1.4, "display": 1.1, "affiliate": 1.8}
    (truth / "channel_effects.json").write_text(json.dumps({"channel_lift": lift}))


def test_attribution_rank_correlation_with_the_simulator_channel_lift(world: tuple[Path, Path]) -> None:
    warehouse, truth = world
    _write_attribution(warehouse, truth)
    metrics = evaluate(warehouse, truth)
    # Credited: paid_search 0.9 > email 0.6 + 0.2 > sms 0.5 > display 0.1, the order of the lift.
    assert metrics["attribution_channels_compared"] == 4
    assert metrics["attribution_lift_spearman"] == pytest.approx(1.0)
    # Per exposure: paid_search 0.9 / 1, sms 0.5 / 1, email 0.8 / 4, display 0.1 / 4:
    # email and sms swap ranks, rho = 1 - 6 * 2 / (4 * 15) = 0.8.
    assert metrics["attribution_lift_spearman_per_touch"] == pytest.approx(0.8)
    assert set(metrics["attribution_lift_spearman_by_model"]) == {"linear", "markov"}


def test_attribution_metrics_are_empty_without_attribution_marts(world: tuple[Path, Path]) -> None:
    metrics = evaluate(*world)
    assert metrics["attribution_lift_spearman"] is None
    assert metrics["attribution_channels_compared"] == 0
    assert metrics["identity_precision"] == pytest.approx(3 / 4)
