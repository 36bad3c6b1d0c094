"""``parcours evaluate``: how close the warehouse comes to the simulator's ground truth.

Identity is scored pairwise over *identity records* (CRM contacts, GA4 cookies,
receipts, mentions, e-mail events, surveys, tickets):

- precision: of the record pairs put in one customer, the share that belong to
  one true person;
- recall: of the record pairs of one person that share a deterministic key (they
  are connected through identifiers used by that person only), the share put in
  one customer. Pairs no deterministic rule could link are not counted against it,
  nor are the pairs of people who refused analytics consent (``persons.parquet``):
  the rules forbid stitching their records.

Stages are scored per person (``stage_accuracy``): every true person with at least one
resolved record who did not refuse analytics consent (as for recall: the rules forbid
stitching the others' records, so their stage measured the consent rule), once, on the
customer profile that holds most of the person's identified records (a person's stray
cookies and unknown social handles, which no deterministic rule links, make customers of
their own; scoring those against the person's stage measured identity recall a second
time), then most of the person's touchpoints (a person seen only on cookies is scored on
the cookie they used most). The true stage is the person's stage on the last simulated
day. More figures say where the errors come from: ``stage_accuracy_history_in_data``
keeps the persons who had no stage or only awareness when the data starts, so that every
action their stage depends on lies in the landed days (the others carry purchases and
lapses from before day 0 that only the CRM's sales summary of its contacts records);
``stage_accuracy_all_persons`` adds the persons who refused analytics consent;
``stage_accuracy_per_customer`` scores every customer against its majority person.
``stage_confusion`` counts the persons of ``stage_accuracy`` by true stage, then by the stage
their profile shows (``none`` when the profile has no stage); ``stage_errors_by_cause`` counts
its wrongly staged persons by where their records lie: some on another customer (the evidence the
profile misses may lie there), some in no customer, or all on the profile (the rules misread them,
or the evidence predates the data).

Personas are scored over resolved customers with a purchase (the named
persona-like segments of ``int_segments__customer_personas``, prospects left
out) against the true persona of their majority person: purity (share of each
predicted segment held by its most frequent true persona, weighted by size) and
match rate (predicted name = true persona).

Attribution is scored against the simulator's channel effects
(``channel_effects.json``: the odds ratio per exposure, ``channel_lift``): each
simulator channel is mapped to the touches it leaves (:data:`TRUTH_CHANNEL_OF_TOUCH`:
an e-mail open or click, or a web session of the matching GA4 channel group), and the
Spearman rank correlation of the lift with the value each attribution model gives the
channel is reported - the conversions credited (``attribution_lift_spearman``,
markov) and the conversions credited per exposure to the channel - its touches,
converting or not (``attribution_lift_spearman_per_touch``: a yield per exposure, closest
to what the lift is, blind to how often a channel is used) - plus both for every model.

The warehouse side reads two intermediate models of the dbt project:
``int_identity__observations`` (source, record_type, record_id, identifier_type,
identifier_value) and ``int_identity__record_customers`` (source, record_type,
record_id, customer_key), ``int_segments__customer_personas`` (customer_key,
persona_segment), plus ``marts.dim_customers``, ``marts.fct_attribution_credits``
and ``marts.fct_touchpoints``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.stats import spearmanr

IDENTITY_MODELS_SCHEMA = "intermediate"

#: Simulator channel of a touch, by (channel, channel_group) of fct_attribution_credits.
#: The simulator's paid social clicks (utm meta / paid_social) fall in GA4's Paid Other:
#: 'meta' is not in the seed ga4_source_categories.
TRUTH_CHANNEL_OF_TOUCH: dict[tuple[str, str], str] = {
    ("email", "email"): "email",
    ("web", "Email"): "email",
    ("web", "SMS"): "sms",
    ("web", "Paid Search"): "paid_search",
    ("web", "Paid Social"): "paid_social",
    ("web", "Paid Other"): "paid_social",
    ("web", "Display"): "display",
    ("web", "Affiliates"): "affiliate",
    ("web", "Organic Social"): "organic_social",
}
#: Touchpoint types of fct_touchpoints that are exposures to a simulator channel.
TRUTH_EXPOSURE_TYPES = ("web_session", "email_open", "email_click")


def evaluate(warehouse: Path, truth_dir: Path) -> dict[str, Any]:
    """All metrics as one JSON-ready dictionary (keys are a public contract)."""
    with duckdb.connect() as connection:
        connection.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        _register_truth(connection, truth_dir)
        _link_records_to_persons(connection)
        _match_customers_to_persons(connection)
        metrics: dict[str, Any] = {}
        metrics.update(_identity_metrics(connection))
        metrics.update(_stage_metrics(connection))
        metrics.update(_persona_metrics(connection))
        metrics.update(_attribution_metrics(connection, truth_dir))
    return metrics


def _register_truth(connection: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    for name in ("records", "identifiers", "stage_history", "persons"):
        connection.read_parquet(str(truth_dir / f"{name}.parquet")).create_view(f"truth_{name}")


def _link_records_to_persons(connection: duckdb.DuckDBPyConnection) -> None:
    """One row per identity record: its true person (null if none), customer key and touchpoints."""
    touchpoints = (
        """
        select record_source as source, record_type, record_id, count(*) as touchpoints
        from warehouse.marts.fct_touchpoints group by all
        """
        if _warehouse_has(connection, "marts", "fct_touchpoints")
        else "select null as source, null as record_type, null as record_id, 0 as touchpoints"
    )
    connection.execute(
        f"""
        create temp table evaluated as
        with record_touchpoints as ({touchpoints}),
        record_truth as (
            -- distinct: a record exported more than once (a CRM contact on every day it changed)
            -- has one truth row per export
            select distinct source, record_type, record_id, person_id from truth_records
            union all
            select 'ga4', 'ga4_cookie', identifier_value, person_id
            from truth_identifiers where identifier_type = 'ga4_user_pseudo_id'
        )
        select resolved.source, resolved.record_type, resolved.record_id,
               resolved.customer_key, record_truth.person_id,
               coalesce(record_touchpoints.touchpoints, 0) as touchpoints
        from warehouse.{IDENTITY_MODELS_SCHEMA}.int_identity__record_customers as resolved
        left join record_truth using (source, record_type, record_id)
        left join record_touchpoints using (source, record_type, record_id)
        """
    )


def _match_customers_to_persons(connection: duckdb.DuckDBPyConnection) -> None:
    """Each resolved customer's majority person: the true person most of its records belong to."""
    connection.execute(
        """
        create temp table customer_persons as
        select customer_key, person_id from evaluated
        where customer_key is not null and person_id is not null
        group by customer_key, person_id
        qualify row_number() over (partition by customer_key order by count(*) desc, person_id) = 1
        """
    )


def _identity_metrics(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    _build_linkable_groups(connection)
    precision_row = connection.execute(
        """
        with cells as (
            select customer_key, person_id, count(*) as n from evaluated
            where customer_key is not null and person_id is not null
            group by all
        ),
        clusters as (select customer_key, sum(n) as n from cells group by customer_key)
        select (select sum(n * (n - 1) / 2) from cells), (select sum(n * (n - 1) / 2) from clusters)
        """
    ).fetchone()
    recall_row = connection.execute(
        """
        with cells as (
            select linkable_group, customer_key, count(*) as n from linkable
            where customer_key is not null group by all
        ),
        groups as (select linkable_group, count(*) as n from linkable group by linkable_group)
        select (select sum(n * (n - 1) / 2) from cells), (select sum(n * (n - 1) / 2) from groups)
        """
    ).fetchone()
    counts = connection.execute(
        """
        select count(*), count(customer_key), count(distinct customer_key), count(distinct person_id)
        from evaluated
        """
    ).fetchone()
    assert precision_row and recall_row and counts
    return {
        "identity_precision": _ratio(precision_row[0], precision_row[1]),
        "identity_recall": _ratio(recall_row[0], recall_row[1]),
        "identity_pairs_predicted": int(precision_row[1] or 0),
        "identity_pairs_linkable": int(recall_row[1] or 0),
        "records_evaluated": int(counts[0]),
        "records_resolved": int(counts[1]),
        "customers": int(counts[2]),
        "persons": int(counts[3]),
    }


def _build_linkable_groups(connection: duckdb.DuckDBPyConnection) -> None:
    """Group records joined through *personal* identifiers (used by one true person only)."""
    edges = connection.sql(
        f"""
        with personal_edges as (
            select evaluated.source, evaluated.record_type, evaluated.record_id,
                   observation.identifier_type || ':' || observation.identifier_value as identifier
            from warehouse.{IDENTITY_MODELS_SCHEMA}.int_identity__observations as observation
            join evaluated using (source, record_type, record_id)
            where evaluated.person_id is not null
              and evaluated.person_id not in (
                  select person_id from truth_persons where consent_analytics = false)
            qualify count(distinct evaluated.person_id) over (partition by identifier) = 1
        )
        select source, record_type, record_id,
               dense_rank() over (order by source, record_type, record_id) - 1 as record_node,
               dense_rank() over (order by identifier) - 1 as identifier_node
        from personal_edges
        """
    ).to_arrow_table()
    records = edges.column("record_node").to_numpy()
    identifiers = edges.column("identifier_node").to_numpy()
    n_records = int(records.max()) + 1 if len(records) else 0
    n_nodes = n_records + (int(identifiers.max()) + 1 if len(identifiers) else 0)
    graph = coo_matrix(
        (np.ones(len(records), dtype=np.int8), (records, identifiers + n_records)), shape=(n_nodes, n_nodes)
    )
    _, labels = connected_components(graph, directed=False)
    grouped = pa.table(
        {
            "source": edges.column("source"),
            "record_type": edges.column("record_type"),
            "record_id": edges.column("record_id"),
            "linkable_group": pa.array(labels[records]),
        }
    )
    connection.register("grouped_records", grouped)
    connection.execute(
        """
        create or replace temp table linkable as
        select distinct grouped_records.*, evaluated.customer_key
        from grouped_records join evaluated using (source, record_type, record_id)
        """
    )


#: Records that name a person only by a pseudonym no deterministic rule may tie to anyone else
#: (a GA4 cookie that never logged in, a social handle the CRM does not know) when nothing else
#: links them: ``stage_accuracy`` does not choose a person's profile by them.
PSEUDONYMOUS_RECORD_TYPES = ("ga4_cookie", "mention")

STAGE_BASIS = (
    "per person: each true person with a resolved record who did not refuse analytics consent (as "
    "for identity_recall) is scored once, on the customer holding "
    "most of the person's identified records (not GA4 cookies or social mentions), then most of "
    "the person's touchpoints, then most records, then the smallest key; "
    "stage_accuracy_history_in_data keeps the persons with no stage or awareness when the data "
    "starts (their stage-relevant actions all lie in the landed days); stage_accuracy_all_persons adds "
    "the persons who refused analytics consent (whose records may not be stitched); "
    "stage_accuracy_per_customer "
    "scores every customer, cookie-only fragments included, against its majority person"
)


def _stage_metrics(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Stage accuracy per consenting person (the headline), with history in the data, of all, per customer."""
    connection.execute(
        """
        create or replace temp table stage_truth as
        with last_stage as (
            select person_id, funnel_stage from truth_stage_history
            qualify row_number() over (partition by person_id order by valid_from desc) = 1
        ),
        start_stage as (
            select person_id, funnel_stage from truth_stage_history
            where valid_from = (select min(valid_from) from truth_stage_history)
        )
        select last_stage.person_id, last_stage.funnel_stage,
               coalesce(start_stage.funnel_stage, 'awareness') = 'awareness' as history_in_data
        from last_stage left join start_stage using (person_id)
        """
    )
    pseudonymous = ", ".join(f"'{record_type}'" for record_type in PSEUDONYMOUS_RECORD_TYPES)
    connection.execute(
        f"""
        create or replace temp table stage_compared as
        with profile as (
            select person_id, customer_key from evaluated
            where customer_key is not null and person_id is not null
            group by person_id, customer_key
            qualify row_number() over (
                partition by person_id
                order by count(*) filter (where record_type not in ({pseudonymous})) desc,
                         sum(touchpoints) desc, count(*) desc, customer_key) = 1
        )
        select profile.person_id, profile.customer_key as profile_key,
               stage_truth.funnel_stage as true_stage,
               coalesce(customers.current_funnel_stage, 'none') as predicted_stage,
               customers.current_funnel_stage = stage_truth.funnel_stage as correct,
               stage_truth.history_in_data,
               coalesce(persons.consent_analytics, true) as consenting
        from profile
        join stage_truth using (person_id)
        join warehouse.marts.dim_customers as customers using (customer_key)
        left join truth_persons as persons using (person_id)
        """
    )
    per_person = connection.execute(
        """
        select count(*) filter (where consenting),
               count(*) filter (where consenting and correct),
               count(*) filter (where consenting and history_in_data),
               count(*) filter (where consenting and history_in_data and correct),
               count(*),
               count(*) filter (where correct)
        from stage_compared
        """
    ).fetchone()
    per_customer = connection.execute(
        """
        with compared as (
            select customers.current_funnel_stage = stage_truth.funnel_stage as correct
            from warehouse.marts.dim_customers as customers
            join customer_persons using (customer_key)
            join stage_truth using (person_id)
        )
        select count(*), count(*) filter (where correct) from compared
        """
    ).fetchone()
    assert per_person and per_customer
    return {
        "stage_accuracy": _ratio(per_person[1], per_person[0]),
        "stage_persons_compared": int(per_person[0]),
        "stage_accuracy_history_in_data": _ratio(per_person[3], per_person[2]),
        "stage_persons_history_in_data": int(per_person[2]),
        "stage_accuracy_all_persons": _ratio(per_person[5], per_person[4]),
        "stage_persons_all": int(per_person[4]),
        "stage_accuracy_per_customer": _ratio(per_customer[1], per_customer[0]),
        "stage_customers_compared": int(per_customer[0]),
        "stage_confusion": _stage_confusion(connection),
        "stage_errors_by_cause": _stage_errors_by_cause(connection),
        "stage_basis": STAGE_BASIS,
    }


def _stage_confusion(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Persons of ``stage_accuracy`` by true stage, then by the stage of their profile (with counts)."""
    rows = connection.execute(
        """
        select true_stage, predicted_stage, count(*) from stage_compared where consenting
        group by true_stage, predicted_stage order by true_stage, predicted_stage
        """
    ).fetchall()
    confusion: dict[str, dict[str, int]] = {}
    for true_stage, predicted_stage, persons in rows:
        confusion.setdefault(str(true_stage), {})[str(predicted_stage)] = int(persons)
    return confusion


def _stage_errors_by_cause(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The wrongly staged persons of ``stage_accuracy`` by where their records lie.

    ``records_on_other_customers``: some of the person's records belong to another customer (a
    cookie that never logged in, a mention by a handle the CRM does not know): the evidence the
    profile misses may lie there. ``records_unresolved``: none elsewhere, but some in no customer
    (an anonymous store sale). ``all_records_on_profile``: the profile
    holds every record of the person: the rules misread it, or the evidence predates the data.
    """
    row = connection.execute(
        """
        with spread as (
            select compared.person_id,
                   count(*) filter (
                       where evaluated.customer_key != compared.profile_key) as on_other_customers,
                   count(*) filter (where evaluated.customer_key is null) as unresolved
            from stage_compared as compared
            join evaluated using (person_id)
            where compared.consenting and not coalesce(compared.correct, false)
            group by compared.person_id
        )
        select count(*) filter (where on_other_customers > 0),
               count(*) filter (where on_other_customers = 0 and unresolved > 0),
               count(*) filter (where on_other_customers = 0 and unresolved = 0)
        from spread
        """
    ).fetchone()
    assert row
    return {
        "records_on_other_customers": int(row[0]),
        "records_unresolved": int(row[1]),
        "all_records_on_profile": int(row[2]),
    }


def _persona_metrics(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = connection.execute(
        f"""
        with compared as (
            select personas.persona_segment as predicted, persons.persona as actual
            from warehouse.{IDENTITY_MODELS_SCHEMA}.int_segments__customer_personas as personas
            join customer_persons using (customer_key)
            join truth_persons as persons using (person_id)
            where personas.persona_segment not in ('contact_only', 'window_shopper')
        ),
        cells as (select predicted, actual, count(*) as n from compared group by all),
        purest as (select predicted, max(n) as n from cells group by predicted)
        select (select count(*) from compared), (select sum(n) from purest),
               (select count(*) from compared where predicted = actual)
        """
    ).fetchone()
    assert row
    return {
        "persona_purity": _ratio(row[1], row[0]),
        "persona_match_rate": _ratio(row[2], row[0]),
        "persona_customers_compared": int(row[0]),
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not denominator:
        return None
    return round(float(numerator or 0) / float(denominator), 6)


def _attribution_metrics(connection: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict[str, Any]:
    """Rank correlation of each model's channel value with the simulator's channel lift."""
    metrics: dict[str, Any] = {
        "attribution_lift_spearman": None,
        "attribution_lift_spearman_per_touch": None,
        "attribution_lift_spearman_by_model": {},
        "attribution_channels_compared": 0,
    }
    effects_file = truth_dir / "channel_effects.json"
    tables = ("fct_attribution_credits", "fct_touchpoints")
    if not effects_file.exists() or not all(_warehouse_has(connection, "marts", t) for t in tables):
        return metrics
    lift: dict[str, float] = json.loads(effects_file.read_text())["channel_lift"]
    credited = _attributed_values(connection)
    touches = _exposures(connection)
    names = sorted(name for name in touches if name in lift)
    lifts = [lift[name] for name in names]
    by_model: dict[str, dict[str, float | None]] = {}
    for model, channels in sorted(credited.items()):
        value = [channels.get(name, 0.0) for name in names]
        per_touch = [v / touches[name] for v, name in zip(value, names, strict=True)]
        by_model[model] = {"credited": _spearman(value, lifts), "per_touch": _spearman(per_touch, lifts)}
    metrics["attribution_channels_compared"] = len(names)
    metrics["attribution_lift_spearman_by_model"] = by_model
    markov = by_model.get("markov", {})
    metrics["attribution_lift_spearman"] = markov.get("credited")
    metrics["attribution_lift_spearman_per_touch"] = markov.get("per_touch")
    return metrics


def _attributed_values(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    """Per model and simulator channel: the conversions credited to its touches."""
    rows = connection.execute(
        """
        select attribution_model, channel, channel_group, sum(credit)
        from warehouse.marts.fct_attribution_credits
        where touchpoint_id is not null
        group by all
        order by all
        """
    ).fetchall()
    values: dict[str, dict[str, float]] = {}
    for model, channel, channel_group, credit in rows:
        truth_channel = TRUTH_CHANNEL_OF_TOUCH.get((channel, channel_group))
        if truth_channel is not None:
            channels = values.setdefault(model, {})
            channels[truth_channel] = channels.get(truth_channel, 0.0) + float(credit)
    return values


def _exposures(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per simulator channel: its observed exposures (touchpoints), converting or not."""
    rows = connection.execute(
        f"""
        select channel, case when channel = 'web' then sub_channel else channel end, count(*)
        from warehouse.marts.fct_touchpoints
        where touchpoint_type in {TRUTH_EXPOSURE_TYPES}
        group by all
        order by all
        """
    ).fetchall()
    exposures: dict[str, int] = {}
    for channel, channel_group, count in rows:
        truth_channel = TRUTH_CHANNEL_OF_TOUCH.get((channel, channel_group))
        if truth_channel is not None:
            exposures[truth_channel] = exposures.get(truth_channel, 0) + int(count)
    return exposures


def _spearman(values: list[float], truth: list[float]) -> float | None:
    if len(values) < 3 or len(set(values)) < 2 or len(set(truth)) < 2:
        return None
    rho = float(spearmanr(values, truth).statistic)
    return None if math.isnan(rho) else round(rho, 6)


def _warehouse_has(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = connection.execute(
        """
        select count(*) from duckdb_tables()
        where database_name = 'warehouse' and schema_name = ? and table_name = ?
        """,
        [schema, table],
    ).fetchone()
    return bool(row and row[0])
