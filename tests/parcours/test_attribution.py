"""Markov-chain removal effects against chains solved by hand, and the bootstrap's determinism."""

import itertools

import numpy as np
import pytest

from parcours.attribution import NO_TOUCH_STATE, build_variants, path_credits, solve

# Paths A -> conversion, A -> B -> conversion, B -> null. By hand:
#   P(conv | B) = 1/2, P(conv | A) = 1/2 + 1/2 * 1/2 = 3/4,
#   P(conv) = 2/3 * 3/4 + 1/3 * 1/2 = 2/3;
#   without A: 1/3 * 1/2 = 1/6 -> removal effect 1 - (1/6) / (2/3) = 3/4;
#   without B: 2/3 * 1/2 = 1/3 -> removal effect 1 - (1/3) / (2/3) = 1/2.
#   Credits: path [A] -> A 1; path [A, B] -> A 0.75 / 1.25 = 0.6, B 0.4.
HAND_PATHS = [("A",), ("A", "B"), ("B",)]
HAND_CONVERSIONS = [1, 1, 0]
HAND_NON_CONVERSIONS = [0, 0, 1]


def test_removal_effects_equal_the_hand_solved_absorbing_chain() -> None:
    result = solve(build_variants(HAND_PATHS, HAND_CONVERSIONS, HAND_NON_CONVERSIONS))
    assert result.states == ("A", "B", NO_TOUCH_STATE)
    assert result.conversion_probability == pytest.approx(2 / 3)
    assert result.removal_effects[:2] == pytest.approx([3 / 4, 1 / 2])
    assert np.isnan(result.removal_effects[2])


def test_credits_of_each_path_follow_removal_effects_and_sum_to_one() -> None:
    variants = build_variants(HAND_PATHS, HAND_CONVERSIONS, HAND_NON_CONVERSIONS)
    credits = path_credits(variants, np.array([0.75, 0.5]))
    assert credits[0] == pytest.approx([1.0, 0.0])
    assert credits[1] == pytest.approx([0.6, 0.4])
    result = solve(variants)
    assert result.credit_shares == pytest.approx([1.6 / 2, 0.4 / 2, 0.0])


def test_conversions_without_touchpoint_go_to_the_no_touch_state_and_stay_out_of_the_chain() -> None:
    paths = [*HAND_PATHS, (NO_TOUCH_STATE,)]
    result = solve(build_variants(paths, [*HAND_CONVERSIONS, 1], [*HAND_NON_CONVERSIONS, 0]))
    assert result.removal_effects[:2] == pytest.approx([3 / 4, 1 / 2])
    assert result.credit_shares == pytest.approx([1.6 / 3, 0.4 / 3, 1 / 3])
    assert result.credit_shares.sum() == pytest.approx(1.0)


def test_repeated_touches_of_one_channel_change_no_removal_effect() -> None:
    looped = [("A", "A"), ("A", "B", "B"), ("B",)]
    result = solve(build_variants(looped, HAND_CONVERSIONS, HAND_NON_CONVERSIONS))
    assert result.removal_effects[:2] == pytest.approx([3 / 4, 1 / 2])


def test_removal_effects_match_the_limit_of_the_transition_matrix() -> None:
    """An independent exact method: absorption probabilities as the limit of P^n."""
    paths = [("A", "B", "C"), ("C", "A"), ("B",), ("A", "C", "B", "A"), ("C",), ("B", "A")]
    conversions, non_conversions = [3, 1, 0, 2, 1, 0], [1, 2, 4, 0, 3, 2]
    variants = build_variants(paths, conversions, non_conversions)
    result = solve(variants)
    counts = np.zeros((4, 6))
    for path, converted, lost in zip(paths, conversions, non_conversions, strict=True):
        chain = [0, *("ABC".index(state) + 1 for state in path)]
        for origin, target in itertools.pairwise(chain):
            counts[origin, target] += converted + lost
        counts[chain[-1], 4] += converted
        counts[chain[-1], 5] += lost

    def converted_share(matrix: np.ndarray, removed: int | None) -> float:
        full = np.zeros((6, 6))
        full[:4] = matrix / matrix.sum(axis=1, keepdims=True)
        full[4, 4] = full[5, 5] = 1.0
        if removed is not None:
            full[:, 5] += full[:, removed]
            full[:, removed] = 0.0
        return float(np.linalg.matrix_power(full, 2000)[0, 4])

    base = converted_share(counts, None)
    assert result.conversion_probability == pytest.approx(base, abs=1e-12)
    expected = [1 - converted_share(counts, state) / base for state in (1, 2, 3)]
    assert result.removal_effects[:3] == pytest.approx(expected, abs=1e-12)


def test_path_variants_seen_fewer_times_than_min_paths_leave_the_chain() -> None:
    paths = [*HAND_PATHS, ("C", "B")]
    with_rare = solve(build_variants(paths, [*HAND_CONVERSIONS, 1], [*HAND_NON_CONVERSIONS, 0]), min_paths=2)
    # Every variant of the hand example is seen once: with min_paths 2 none is left.
    assert with_rare.conversion_probability == 0.0
    kept = solve(build_variants(paths, [2, 2, 0, 1], [0, 0, 2, 0]), min_paths=2)
    alone = solve(build_variants(HAND_PATHS, [2, 2, 0], [0, 0, 2]))
    assert kept.removal_effects[:2] == pytest.approx(alone.removal_effects[:2])
    assert kept.removal_effects[2] == 0.0


def test_bootstrap_interval_is_identical_for_the_same_seed_and_brackets_the_shares() -> None:
    variants = build_variants(HAND_PATHS, [40, 30, 0], [10, 5, 50])
    first = solve(variants, resamples=200, seed=7)
    again = solve(variants, resamples=200, seed=7)
    other = solve(variants, resamples=200, seed=8)
    assert np.array_equal(first.credit_share_ci_low, again.credit_share_ci_low)
    assert np.array_equal(first.credit_share_ci_high, again.credit_share_ci_high)
    assert not np.array_equal(first.credit_share_ci_low, other.credit_share_ci_low)
    assert np.all(first.credit_share_ci_low <= first.credit_share_ci_high)
    assert first.credit_share_ci_low[0] < first.credit_shares[0] < first.credit_share_ci_high[0]
