"""Language and sentiment of every free text: social mentions and survey verbatims.

One row per (text_source, text_id). The vendor's language and sentiment are kept where the
listening tool gave them; the rest is detected (langdetect) and scored (VADER) offline by
parcours.text_scoring, with the rules of the `text_*` vars (passed through the model's meta).
"""

import pyarrow as pa

from parcours.text_scoring import ScoringRules, score_texts


def _rules(dbt):
    return ScoringRules(
        languages=tuple(dbt.config.meta_get("languages").split(",")),
        positive_min_compound=float(dbt.config.meta_get("positive_min")),
        negative_max_compound=float(dbt.config.meta_get("negative_max")),
    )


def _scored(text_source, table, rules):
    scored = score_texts(
        table.column("text_id").to_pylist(),
        table.column("text").to_pylist(),
        table.column("given_language").to_pylist(),
        table.column("given_sentiment").to_pylist(),
        rules,
    )
    return scored.add_column(0, "text_source", pa.array([text_source] * scored.num_rows, pa.string()))


def model(dbt, session):
    """Score mentions and verbatims; sorted so the table is identical run after run."""
    dbt.config(materialized="table")
    rules = _rules(dbt)
    mentions = dbt.ref("stg_social__mentions").query(
        "mentions",
        "select mention_id as text_id, mention_text as text, language as given_language,"
        " vendor_sentiment as given_sentiment from mentions order by mention_id",
    )
    verbatims = dbt.ref("stg_crm__feedback").query(
        "feedback",
        "select feedback_id as text_id, verbatim as text, cast(null as varchar) as given_language,"
        " cast(null as varchar) as given_sentiment from feedback order by feedback_id",
    )
    return pa.concat_tables(
        [
            _scored("social_mention", mentions.fetch_arrow_table(), rules),
            _scored("survey_verbatim", verbatims.fetch_arrow_table(), rules),
        ]
    )
