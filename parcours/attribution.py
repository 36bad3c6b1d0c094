"""Data-driven attribution: first-order Markov-chain removal effects, solved exactly.

A journey is a *path*: the ordered channel states a person touched, ending in a
conversion or not (a null path). Paths are given as *variants* (one distinct sequence of
states) with how many paths converted and how many did not.

The chain has the states ``start``, one state per channel, and two absorbing states,
``conversion`` and ``null``. Transition probabilities are the observed transition counts of
the paths, normalised per state (start -> first state, state -> next state, last state ->
conversion or null). The probability of conversion from ``start`` is the absorbing-chain
solution ``x = (I - Q)^-1 r`` (``Q`` the transient-to-transient block, ``r`` the
transient-to-conversion column), computed with one linear solve: no simulation, the same
numbers on every run. The *removal effect* of channel ``c`` is ``1 - P(conversion without
c) / P(conversion)``, where removing ``c`` sends every transition into ``c`` to ``null``.
Self-loops (a channel touched twice in a row) change no absorption probability.

Credits of one converting path go to the distinct channel states of the path in proportion
to their removal effects (evenly if all are 0), so the credits of one conversion sum to 1.
A conversion whose path is only the state :data:`NO_TOUCH_STATE` (no touchpoint before it)
gives its whole credit to that state, and takes no part in the chain.

The bootstrap resamples *paths* with replacement (a multinomial draw over the variants, with
a fixed seed), re-solves the chain and recomputes the channel credit shares; the percentile
interval of each share is the confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy.sparse import csr_matrix

#: Path of a conversion with no touchpoint before it: credited, never part of the chain.
NO_TOUCH_STATE = "(none)"


@dataclass(frozen=True)
class PathVariants:
    """Distinct paths as state indices, with their converting and non-converting counts."""

    states: tuple[str, ...]  #: channel states, sorted; index i is chain state i + 1
    sequences: tuple[tuple[int, ...], ...]  #: per variant, state indices (0-based) in order
    conversions: np.ndarray  #: per variant, paths that converted
    non_conversions: np.ndarray  #: per variant, paths that did not


@dataclass(frozen=True)
class MarkovResult:
    """Removal effects and credit shares per state (``states`` order, NO_TOUCH_STATE last)."""

    states: tuple[str, ...]
    conversion_probability: float
    removal_effects: np.ndarray  #: per channel state; NaN for NO_TOUCH_STATE
    credit_shares: np.ndarray  #: share of all conversions credited to each state
    credit_share_ci_low: np.ndarray
    credit_share_ci_high: np.ndarray


def build_variants(
    paths: Sequence[Sequence[str]], conversions: Sequence[int], non_conversions: Sequence[int]
) -> PathVariants:
    """Index path variants (sequences of state names) with their conversion counts."""
    names = sorted({state for path in paths for state in path if state != NO_TOUCH_STATE})
    index = {name: i for i, name in enumerate(names)}
    sequences = tuple(tuple(index[state] for state in path if state != NO_TOUCH_STATE) for path in paths)
    return PathVariants(
        states=tuple(names),
        sequences=sequences,
        conversions=np.asarray(conversions, dtype=np.float64),
        non_conversions=np.asarray(non_conversions, dtype=np.float64),
    )


def removal_effects(counts: np.ndarray) -> tuple[float, np.ndarray]:
    """P(conversion) from start and the removal effect of each channel, from transition counts.

    ``counts`` is an (m + 1) x (m + 3) matrix: rows start (0) and channels 1..m; columns
    start, channels, conversion (m + 1) and null (m + 2).
    """
    transient = counts.shape[0]
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    probabilities[totals[:, 0] == 0, transient + 1] = 1.0  # a state never left: absorbed in null
    q = probabilities[:, :transient]
    r = probabilities[:, transient]
    identity = np.eye(transient)
    base = float(np.linalg.solve(identity - q, r)[0])
    m = transient - 1
    if m == 0 or base <= 0.0:
        return base, np.zeros(m)
    # Removing channel c: its column of Q (transitions into c) goes to null, its row is unreachable.
    removed_q = np.broadcast_to(q, (m, transient, transient)).copy()
    removed_r = np.broadcast_to(r, (m, transient)).copy()
    channels = np.arange(1, transient)
    removed_q[np.arange(m), :, channels] = 0.0
    removed_r[np.arange(m), channels] = 0.0
    without = np.linalg.solve(identity - removed_q, removed_r[..., None])[:, 0, 0]
    return base, np.clip(1.0 - without / base, 0.0, 1.0)


def path_credits(variants: PathVariants, effects: np.ndarray) -> np.ndarray:
    """Credit of each channel state on each variant (rows sum to 1; empty paths get 0 rows)."""
    return _credits(_presence(variants), effects)


def _credits(present: np.ndarray, effects: np.ndarray) -> np.ndarray:
    weighted = present * effects[None, :]
    totals = weighted.sum(axis=1, keepdims=True)
    counts = present.sum(axis=1, keepdims=True)
    even = np.divide(present, counts, out=np.zeros_like(present), where=counts > 0)
    proportional = np.divide(weighted, totals, out=np.zeros_like(weighted), where=totals > 0)
    return np.where(totals > 0, proportional, even)


def solve(
    variants: PathVariants, min_paths: int = 1, resamples: int = 0, seed: int = 0, ci_level: float = 0.95
) -> MarkovResult:
    """Removal effects, credit shares and their bootstrap percentile intervals."""
    incidence, last = _incidence(variants)
    present = _presence(variants)
    counts = _counts(variants, incidence, last, variants.conversions, variants.non_conversions, min_paths)
    base, effects = removal_effects(counts)
    shares = _credit_shares(present, effects, variants.conversions)
    low, high = shares.copy(), shares.copy()
    if resamples > 0:
        samples = _bootstrap(variants, (incidence, last, present), min_paths, resamples, seed)
        alpha = (1.0 - ci_level) / 2.0
        low = np.quantile(samples, alpha, axis=0)
        high = np.quantile(samples, 1.0 - alpha, axis=0)
    return MarkovResult(
        states=(*variants.states, NO_TOUCH_STATE),
        conversion_probability=base,
        removal_effects=np.append(effects, np.nan),
        credit_shares=shares,
        credit_share_ci_low=low,
        credit_share_ci_high=high,
    )


def _presence(variants: PathVariants) -> np.ndarray:
    """Variants x channel states: 1 where the state is on the variant's path."""
    present = np.zeros((len(variants.sequences), len(variants.states)))
    for v, sequence in enumerate(variants.sequences):
        present[v, list(sequence)] = 1.0
    return present


def _incidence(variants: PathVariants) -> tuple[csr_matrix, np.ndarray]:
    """Per variant, its transitions start -> ... -> last channel as a flat count row; its last state."""
    width = len(variants.states) + 3
    rows: list[int] = []
    cols: list[int] = []
    last = np.zeros(len(variants.sequences), dtype=np.int64)
    for v, sequence in enumerate(variants.sequences):
        chain = [0, *(state + 1 for state in sequence)]
        for origin, target in pairwise(chain):
            rows.append(v)
            cols.append(origin * width + target)
        last[v] = chain[-1]
    transient = len(variants.states) + 1
    matrix = csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(variants.sequences), transient * width)
    )
    return matrix, last


def _counts(
    variants: PathVariants,
    incidence: csr_matrix,
    last: np.ndarray,
    conversions: np.ndarray,
    non_conversions: np.ndarray,
    min_paths: int,
) -> np.ndarray:
    """Transition count matrix of the variants seen at least ``min_paths`` times (empty ones skipped)."""
    transient = len(variants.states) + 1
    width = transient + 2
    paths = conversions + non_conversions
    kept = (paths >= min_paths) & (last > 0)
    weights = np.where(kept, paths, 0.0)
    counts = np.asarray(incidence.T @ weights).reshape(transient, width)
    np.add.at(counts[:, transient], last, np.where(kept, conversions, 0.0))
    np.add.at(counts[:, transient + 1], last, np.where(kept, non_conversions, 0.0))
    return counts


def _credit_shares(present: np.ndarray, effects: np.ndarray, conversions: np.ndarray) -> np.ndarray:
    """Share of all conversions credited to each channel state, NO_TOUCH_STATE last."""
    total = conversions.sum()
    if total <= 0:
        return np.zeros(present.shape[1] + 1)
    credited = conversions @ _credits(present, effects)
    no_touch = total - credited.sum()
    return np.append(credited, no_touch) / total


def _bootstrap(
    variants: PathVariants,
    structure: tuple[csr_matrix, np.ndarray, np.ndarray],
    min_paths: int,
    resamples: int,
    seed: int,
) -> np.ndarray:
    """Credit shares of ``resamples`` resamples of the paths (with replacement, fixed seed)."""
    incidence, last, present = structure
    rng = np.random.default_rng(seed)
    outcomes = np.concatenate([variants.conversions, variants.non_conversions])
    total = int(outcomes.sum())
    n = len(variants.sequences)
    samples = np.empty((resamples, len(variants.states) + 1))
    for b in range(resamples):
        drawn = rng.multinomial(total, outcomes / total).astype(np.float64)
        conversions, non_conversions = drawn[:n], drawn[n:]
        counts = _counts(variants, incidence, last, conversions, non_conversions, min_paths)
        samples[b] = _credit_shares(present, removal_effects(counts)[1], conversions)
    return samples
