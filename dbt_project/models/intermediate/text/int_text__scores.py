"""Language and sentiment of every free text: social mentions and survey verbatims.

One row per (text_source, text_id). The vendor's language and sentiment are kept where the
listening tool gave them; the rest is detected (langdetect) and scored (VADER) offline by
parcours.text_scoring, with the rules of the `text_*` vars (passed through the model's meta).

Scoring is the costly part and grows with every text ever received, so a run scores only the
texts it has no valid score for: the previous table is a cache keyed by (text_source, text_id,
scored_input_hash), the hash of the text, the given language and sentiment and the scorer's
fingerprint (rules, scoring code, library versions). The table is rebuilt whole from the current
sources each run, so a text gone from them (erasure) is gone here too, and the result is the one
a build from scratch gives.
"""

import pyarrow as pa

from parcours.text_scoring import ScoringRules, score_texts, scorer_fingerprint

OUTPUT_COLUMNS = ("language", "language_source", "sentiment", "sentiment_score", "sentiment_source")


def _rules(dbt):
    return ScoringRules(
        languages=tuple(dbt.config.meta_get("languages").split(",")),
        positive_min_compound=float(dbt.config.meta_get("positive_min")),
        negative_max_compound=float(dbt.config.meta_get("negative_max")),
    )


def _has_cache(dbt, session):
    """Whether the previous build of this model exists and holds the input hashes."""
    found = session.execute(
        "select count(*) from information_schema.columns"
        " where table_schema = ? and table_name = ? and column_name = 'scored_input_hash'",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchall()
    return found[0][0] > 0


def _inputs_sql(text_source, select_inputs, fingerprint):
    """The texts of one source with their input hash (select_inputs reads the relation `texts`)."""
    field = "coalesce('v' || {0}, 'n')"
    hashed = ", ".join(field.format(name) for name in ("text", "given_language", "given_sentiment"))
    return (
        f"select '{text_source}' as text_source, *,"
        f" md5(concat_ws(chr(31), '{fingerprint}', {hashed})) as scored_input_hash"
        f" from ({select_inputs}) as inputs"
    )


def _scored(name, relation, select_inputs, dbt, session, rules, fingerprint):
    """Scores of every text of one source: reused from the cache where valid, else computed."""
    inputs = relation.query(name, _inputs_sql(name, select_inputs, fingerprint)).to_arrow_table()
    session.register("text_inputs", inputs)
    try:
        if _has_cache(dbt, session):
            outputs = ", ".join(f"cached.{column}" for column in OUTPUT_COLUMNS)
            join = (
                f" from text_inputs left join {dbt.this} as cached"
                " on cached.text_source = text_inputs.text_source"
                " and cached.text_id = text_inputs.text_id"
                " and cached.scored_input_hash = text_inputs.scored_input_hash"
            )
            reused = session.sql(
                f"select text_inputs.text_source, text_inputs.text_id, {outputs},"
                f" text_inputs.scored_input_hash {join} where cached.text_id is not null"
            ).to_arrow_table()
            missing = session.sql(
                f"select text_inputs.* {join} where cached.text_id is null"
            ).to_arrow_table()
        else:
            reused, missing = None, inputs
    finally:
        session.unregister("text_inputs")
    scored = score_texts(
        missing.column("text_id").to_pylist(),
        missing.column("text").to_pylist(),
        missing.column("given_language").to_pylist(),
        missing.column("given_sentiment").to_pylist(),
        rules,
    )
    scored = scored.add_column(0, "text_source", missing.column("text_source"))
    scored = scored.append_column("scored_input_hash", missing.column("scored_input_hash"))
    return scored if reused is None else pa.concat_tables([reused.cast(scored.schema), scored])


def model(dbt, session):
    """Score mentions and verbatims; sorted so the table is identical run after run."""
    dbt.config(materialized="table")
    rules = _rules(dbt)
    fingerprint = scorer_fingerprint(rules)
    mentions = _scored(
        "social_mention",
        dbt.ref("stg_social__mentions"),
        "select mention_id as text_id, mention_text as text, language as given_language,"
        " vendor_sentiment as given_sentiment from social_mention",
        dbt,
        session,
        rules,
        fingerprint,
    )
    verbatims = _scored(
        "survey_verbatim",
        dbt.ref("stg_crm__feedback"),
        "select feedback_id as text_id, verbatim as text, cast(null as varchar) as given_language,"
        " cast(null as varchar) as given_sentiment from survey_verbatim",
        dbt,
        session,
        rules,
        fingerprint,
    )
    return pa.concat_tables([mentions, verbatims]).sort_by(
        [("text_source", "ascending"), ("text_id", "ascending")]
    )
