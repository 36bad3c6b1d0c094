"""Markov-chain removal effect and bootstrap interval of the credit share of every channel state.

Reads the path variants of int_attribution__markov_paths and solves the absorbing chain
exactly with parcours.attribution (one linear solve per removed state; no simulation). The
interval comes from resampling the journeys with replacement with a fixed seed, so the same
paths give the same numbers on every run. Settings come from vars (see the model's YAML):
attribution_markov_min_paths, attribution_markov_bootstrap_resamples,
attribution_markov_bootstrap_seed, attribution_markov_ci_level.
"""

import pandas as pd

from parcours.attribution import build_variants, solve

SEPARATOR = " > "


def _to_pandas(relation):
    """The referenced relation as a pandas DataFrame (DuckDB, Snowpark or Spark)."""
    for method in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, method):
            return getattr(relation, method)()
    raise TypeError(f"cannot read {type(relation)!r} as pandas")


def model(dbt, session):
    """One row per channel state (and the no-touch state): removal effect, share and interval."""
    dbt.config(materialized="table")
    paths = _to_pandas(dbt.ref("int_attribution__markov_paths"))
    paths = paths.sort_values("markov_path", kind="stable").reset_index(drop=True)
    variants = build_variants(
        [path.split(SEPARATOR) for path in paths["markov_path"]],
        paths["conversions"].to_numpy(),
        paths["non_conversions"].to_numpy(),
    )
    resamples = int(dbt.config.get("bootstrap_resamples"))
    result = solve(
        variants,
        min_paths=int(dbt.config.get("min_paths")),
        resamples=resamples,
        seed=int(dbt.config.get("bootstrap_seed")),
        ci_level=float(dbt.config.get("ci_level")),
    )
    return pd.DataFrame(
        {
            "markov_state": list(result.states),
            "removal_effect": pd.Series(result.removal_effects).astype("Float64"),  # NaN -> null
            "credit_share": result.credit_shares,
            "credit_share_ci_low": result.credit_share_ci_low,
            "credit_share_ci_high": result.credit_share_ci_high,
            "conversion_probability": result.conversion_probability,
            "bootstrap_resamples": resamples,
        }
    )
