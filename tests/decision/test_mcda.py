"""MCDA: TOPSIS and weighted sum against pymcdm, a hand-worked TOPSIS example, input errors,
stability intervals (boundaries flip the top, brute force agrees) and Dirichlet win shares."""

import numpy as np
import pytest
from pymcdm.methods import TOPSIS, WSM
from pymcdm.normalizations import minmax_normalization, vector_normalization

from llmstrategy.decision.mcda import (
    StabilityInterval,
    minmax_normalize,
    ranks,
    stability_intervals,
    topsis,
    topsis_many,
    validate,
    weighted_sum,
    weighted_sum_many,
    win_shares,
    win_shares_detail,
)
from llmstrategy.errors import ComputationError

SCORERS = {"topsis": topsis, "weighted_sum": weighted_sum}


def _random_problem(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-8 alternatives × 1-6 criteria, mixed benefit/cost; half of them small integers (ties, constant columns)."""
    while True:
        m, n = int(rng.integers(2, 9)), int(rng.integers(1, 7))
        x = rng.integers(1, 4, size=(m, n)).astype(float) if rng.random() < 0.5 else rng.uniform(0.1, 100, (m, n))
        if not np.all(x == x[0]):  # all alternatives identical: pymcdm divides 0 by 0
            break
    return x, rng.dirichlet(np.ones(n)), rng.random(n) < 0.5


# --- cross-checks against pymcdm 1.4 ---------------------------------------------------------------


def test_topsis_matches_pymcdm_on_200_random_problems():
    # pymcdm's vector_normalization turns a cost column into 1 - r and always takes max as ideal;
    # the distances equal ours (ideal = min r on a cost column), so closeness must agree.
    rng = np.random.default_rng(20240601)
    body = TOPSIS(normalization_function=vector_normalization)
    for case in range(200):
        x, w, benefit = _random_problem(rng)
        expected = body(x, w, np.where(benefit, 1, -1), validation=False)
        np.testing.assert_allclose(topsis(x, w, benefit), expected, rtol=0, atol=1e-9, err_msg=f"case {case}")


def test_weighted_sum_matches_pymcdm_wsm_with_minmax_normalization():
    # pymcdm's WSM defaults to sum normalization; ours is min-max, so pass minmax_normalization explicitly
    # (it too maps a constant column to 1).
    rng = np.random.default_rng(7)
    body = WSM(normalization_function=minmax_normalization)
    for case in range(200):
        x, w, benefit = _random_problem(rng)
        expected = body(x, w, np.where(benefit, 1, -1), validation=False)
        np.testing.assert_allclose(weighted_sum(x, w, benefit), expected, rtol=0, atol=1e-12, err_msg=f"case {case}")


# --- hand-computed values --------------------------------------------------------------------------


def test_topsis_hand_worked_3x3():
    # Columns: benefit, benefit, cost; w = (0.5, 0.25, 0.25). Column norms are 5, 3, 3:
    #   r = [[.6, 2/3, 2/3], [.8, 1/3, 2/3], [0, 2/3, 1/3]]
    #   v = w·r = [[.3, 1/6, 1/6], [.4, 1/12, 1/6], [0, 1/6, 1/12]]
    #   ideal v+ = (.4, 1/6, 1/12) (min on the cost column), anti-ideal v- = (0, 1/12, 1/6)
    #   A1: d+ = sqrt(.01 + 1/144) = sqrt(61)/60,  d- = sqrt(.09 + 1/144) = sqrt(349)/60
    #   A2: d+ = sqrt(2/144) = sqrt(50)/60,         d- = .4 = 24/60
    #   A3: d+ = .4 = 24/60,                         d- = sqrt(50)/60
    x = [[3, 2, 2], [4, 1, 2], [0, 2, 1]]
    c = topsis(x, [0.5, 0.25, 0.25], [True, True, False])
    s50, s61, s349 = np.sqrt([50.0, 61.0, 349.0])
    expected = [s349 / (s349 + s61), 24 / (24 + s50), s50 / (24 + s50)]
    np.testing.assert_allclose(c, expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c, [0.705182, 0.772423, 0.227577], atol=5e-7)
    assert ranks(c).tolist() == [2, 1, 3]


def test_weighted_sum_hand_worked_3x3():
    # min-max: col1 (benefit) [0, .5, 1], col2 (cost, 10..30) [1, 0, .5], col3 constant -> 1
    # scores = .5·col1 + .3·col2 + .2·1 = [.5, .45, .85]
    x = [[1, 10, 7], [2, 30, 7], [3, 20, 7]]
    benefit = [True, False, True]
    np.testing.assert_allclose(minmax_normalize(x, benefit), [[0, 1, 1], [0.5, 0, 1], [1, 0.5, 1]], atol=1e-15)
    np.testing.assert_allclose(weighted_sum(x, [0.5, 0.3, 0.2], benefit), [0.5, 0.45, 0.85], atol=1e-15)


def test_topsis_degenerate_columns():
    # An all-zero column stays 0 (no division by zero) and adds no distance.
    with_zero = topsis([[1, 0], [2, 0]], [0.5, 0.5], [True, True])
    np.testing.assert_allclose(with_zero, [0.0, 1.0])
    # All alternatives identical: d+ + d- = 0 and closeness is 1.0 by convention.
    np.testing.assert_array_equal(topsis([[4, 2], [4, 2], [4, 2]], [0.3, 0.7], [True, False]), [1.0, 1.0, 1.0])
    # Identical on the only weighted criterion: also 1.0 for everyone.
    np.testing.assert_array_equal(topsis([[4, 1], [4, 9]], [1.0, 0.0], [True, True]), [1.0, 1.0])


def test_ranks_are_stable_on_ties_and_work_row_wise():
    assert ranks([0.2, 0.9, 0.2, 0.9]).tolist() == [3, 1, 4, 2]
    assert ranks([[0.1, 0.5], [0.5, 0.5]]).tolist() == [[2, 1], [1, 2]]
    with pytest.raises(ComputationError, match="finite"):
        ranks([0.1, np.nan])


def test_many_equals_a_loop_over_rows():
    rng = np.random.default_rng(3)
    x, benefit = rng.uniform(0, 10, (6, 4)), np.array([True, False, True, False])
    w2 = rng.dirichlet(np.ones(4), size=50)
    w2[0] = [0, 0, 1, 0]  # a one-hot row too
    np.testing.assert_allclose(topsis_many(x, w2, benefit), [topsis(x, w, benefit) for w in w2], rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        weighted_sum_many(x, w2, benefit), [weighted_sum(x, w, benefit) for w in w2], rtol=0, atol=1e-15
    )
    assert topsis_many(x, w2, benefit).shape == (50, 6)


# --- input errors ----------------------------------------------------------------------------------

GOOD = ([[1.0, 2.0], [3.0, 4.0]], [0.5, 0.5], [True, False])


@pytest.mark.parametrize(
    ("matrix", "weights", "benefit", "pattern"),
    [
        (np.empty((0, 2)), [0.5, 0.5], [True, True], "empty"),
        (np.empty((2, 0)), [], [], "empty"),
        ([1.0, 2.0], [1.0], [True], "2-D"),
        ([[1.0, np.nan], [3.0, 4.0]], GOOD[1], GOOD[2], "NaN"),
        ([[1.0, np.inf], [3.0, 4.0]], GOOD[1], GOOD[2], "inf"),
        (GOOD[0], [0.5, np.nan], GOOD[2], "NaN"),
        (GOOD[0], [1.5, -0.5], GOOD[2], "non-negative"),
        (GOOD[0], [0.5, 0.4], GOOD[2], r"sum to 1, but they sum to 0\.9"),
        (GOOD[0], [0.5, 0.5 + 1e-8], GOOD[2], "sum to 1"),
        (GOOD[0], [0.2, 0.3, 0.5], GOOD[2], r"weights must have shape \(2,\)"),
        (GOOD[0], GOOD[1], [True], r"benefit must have shape \(2,\)"),
        (GOOD[0], GOOD[1], [1, -1], "booleans"),
    ],
)
def test_validate_rejects_bad_input(matrix, weights, benefit, pattern):
    with pytest.raises(ComputationError, match=pattern) as info:
        validate(matrix, weights, benefit)
    assert "\n" not in str(info.value)


def test_validate_accepts_rounding_and_returns_arrays():
    x, w, b = validate([[1, 2], [3, 4]], [0.1 + 0.2, 0.7], [True, False])  # 0.1 + 0.2 + 0.7 != 1 exactly
    assert x.dtype == np.float64 and w.dtype == np.float64 and b.dtype == np.bool_
    with pytest.raises(ComputationError, match="weights_2d"):
        topsis_many(*GOOD[:1], [[0.5, 0.5], [0.9, 0.9]], GOOD[2])


# --- stability intervals ---------------------------------------------------------------------------

TRADE_OFF = np.array([[10.0, 1.0, 5.0], [1.0, 10.0, 5.0], [5.0, 5.0, 9.0], [4.0, 4.0, 4.0]])
TRADE_OFF_W = np.array([0.45, 0.35, 0.2])
ALL_BENEFIT = np.array([True, True, True])


def _weights_at(w: np.ndarray, j: int, t: float) -> np.ndarray:
    """Independent restatement of the documented path: w_j = t, the others scaled to 1 - t."""
    rest = np.delete(w, j)
    rest = rest / rest.sum() * (1 - t) if rest.sum() > 0 else np.full(len(rest), (1 - t) / len(rest))
    return np.insert(rest, j, t)


def _top(method: str, x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> int:
    return int(np.argmax(SCORERS[method](x, w, benefit)))


@pytest.mark.parametrize(("method", "eps"), [("weighted_sum", 1e-9), ("topsis", 3e-6)])
def test_stability_boundaries_flip_the_top(method, eps):
    intervals = stability_intervals(TRADE_OFF, TRADE_OFF_W, ALL_BENEFIT, method=method)
    top = _top(method, TRADE_OFF, TRADE_OFF_W, ALL_BENEFIT)
    assert [iv.criterion for iv in intervals] == [0, 1, 2]
    interior = 0
    for iv in intervals:
        assert isinstance(iv, StabilityInterval) and iv.top == top
        assert iv.weight == TRADE_OFF_W[iv.criterion] and iv.low <= iv.weight <= iv.high
        for edge, inward in ((iv.low, +1), (iv.high, -1)):
            if edge in (0.0, 1.0):
                continue
            interior += 1
            just_in, just_out = (_weights_at(TRADE_OFF_W, iv.criterion, edge + d * eps) for d in (inward, -inward))
            assert _top(method, TRADE_OFF, just_in, ALL_BENEFIT) == top
            assert _top(method, TRADE_OFF, just_out, ALL_BENEFIT) != top
    assert interior >= 3  # the example really has boundaries to test


@pytest.mark.parametrize("method", ["weighted_sum", "topsis"])
def test_stability_matches_brute_force_grid(method):
    many = {"topsis": topsis_many, "weighted_sum": weighted_sum_many}[method]
    grid = np.linspace(0, 1, 4001)
    rng = np.random.default_rng(11)
    checked = 0
    while checked < 6:
        x, w, benefit = _random_problem(rng)
        if x.shape[1] == 1:
            continue
        checked += 1
        top = _top(method, x, w, benefit)
        for iv in stability_intervals(x, w, benefit, method=method):
            path = np.array([_weights_at(w, iv.criterion, t) for t in grid])
            ok = np.argmax(many(x, path, benefit), axis=1) == top
            assert ok[(grid > iv.low + 1e-5) & (grid < iv.high - 1e-5)].all()
            if iv.low > 1e-4:  # the last grid point before the interval is lost
                assert not ok[grid < iv.low - 1e-5][-1]
            if iv.high < 1 - 1e-4:
                assert not ok[grid > iv.high + 1e-5][0]


@pytest.mark.parametrize("method", ["weighted_sum", "topsis"])
def test_dominant_alternative_is_stable_on_the_whole_range(method):
    x = np.array([[1.0, 50.0, 3.0], [3.0, 40.0, 1.0], [2.0, 60.0, 2.0]])  # row 1 best on all three
    benefit = np.array([True, False, False])
    for iv in stability_intervals(x, [0.2, 0.0, 0.8], benefit, method=method):
        assert (iv.low, iv.high, iv.top) == (0.0, 1.0, 1)


def test_stability_single_criterion_and_unknown_method():
    (iv,) = stability_intervals([[1.0], [2.0]], [1.0], [True], method="weighted_sum")
    assert (iv.low, iv.weight, iv.high, iv.top) == (1.0, 1.0, 1.0, 1)
    with pytest.raises(ComputationError, match="unknown MCDA method"):
        stability_intervals(*GOOD, method="ahp")  # type: ignore[arg-type]


def test_weighted_sum_interval_is_exact():
    # Two alternatives, two criteria: A = (1, 0), B = (0, 1) after min-max; A wins while w_0 > 1/2.
    (iv0, iv1) = stability_intervals([[1.0, 0.0], [0.0, 1.0]], [0.7, 0.3], [True, True], method="weighted_sum")
    assert iv0.top == 0 and iv0.low == pytest.approx(0.5, abs=1e-15) and iv0.high == 1.0
    assert iv1.low == 0.0 and iv1.high == pytest.approx(0.5, abs=1e-15)


# --- win shares ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["topsis", "weighted_sum"])
def test_win_shares_sum_to_one_and_are_reproducible(method):
    args = (TRADE_OFF, TRADE_OFF_W, ALL_BENEFIT)
    a = win_shares(*args, samples=3000, rng=np.random.default_rng(5), method=method)
    b = win_shares(*args, samples=3000, rng=np.random.default_rng(5), method=method)
    c = win_shares(*args, samples=3000, rng=np.random.default_rng(6), method=method)
    assert a.shape == (4,) and a.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (a > 0).sum() >= 2  # the trade-off really is contested at concentration 50


@pytest.mark.parametrize("method", ["topsis", "weighted_sum"])
def test_dominant_alternative_wins_every_draw(method):
    x = np.array([[1.0, 50.0, 3.0], [3.0, 40.0, 1.0], [2.0, 60.0, 2.0]])
    benefit = [True, False, False]
    shares = win_shares(x, [0.2, 0.0, 0.8], benefit, concentration=0.5, rng=np.random.default_rng(1), method=method)
    np.testing.assert_array_equal(shares, [0.0, 1.0, 0.0])


@pytest.mark.parametrize("method", ["topsis", "weighted_sum"])
def test_huge_concentration_gives_everything_to_the_base_top(method):
    top = _top(method, TRADE_OFF, TRADE_OFF_W, ALL_BENEFIT)
    shares = win_shares(
        TRADE_OFF, TRADE_OFF_W, ALL_BENEFIT, concentration=1e9, rng=np.random.default_rng(2), method=method
    )
    assert shares[top] == 1.0


def test_win_shares_detail_draws_follow_the_documented_dirichlet():
    w = np.array([0.6, 0.4, 0.0])
    d = win_shares_detail(TRADE_OFF, w, ALL_BENEFIT, samples=20000, concentration=50.0, rng=np.random.default_rng(9))
    alpha = 50.0 * w + 1e-3
    assert d.weights.shape == (20000, 3) and d.winners.shape == (20000,)
    np.testing.assert_allclose(d.weights.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(d.weights.mean(axis=0), alpha / alpha.sum(), atol=3e-3)
    # Var of a Dirichlet component: α_j(α0 - α_j) / (α0²(α0 + 1))
    a0 = alpha.sum()
    np.testing.assert_allclose(d.weights.var(axis=0), alpha * (a0 - alpha) / (a0**2 * (a0 + 1)), rtol=0.1, atol=1e-6)
    assert d.weights[:, 2].max() < 0.05  # a zero weight stays small
    np.testing.assert_array_equal(np.bincount(d.winners, minlength=4) / 20000, d.shares)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"samples": 0}, "samples"), ({"concentration": 0.0}, "concentration"), ({"method": "vikor"}, "unknown")],
)
def test_win_shares_rejects_bad_settings(kwargs, pattern):
    with pytest.raises(ComputationError, match=pattern):
        win_shares(*GOOD, rng=np.random.default_rng(0), **kwargs)


def test_batch_versions_equal_the_single_versions_per_matrix():
    from llmstrategy.decision.mcda import topsis_batch, weighted_sum_batch

    rng = np.random.default_rng(5)
    mats = rng.uniform(0.1, 10, size=(30, 6, 4))
    mats[3, :, 2] = 7.0  # a constant column
    w = rng.dirichlet(np.ones(4))
    b = np.array([True, False, True, False])
    t = topsis_batch(mats, w, b)
    s = weighted_sum_batch(mats, w, b)
    for i in range(len(mats)):
        np.testing.assert_allclose(t[i], topsis(mats[i], w, b), rtol=1e-12)
        np.testing.assert_allclose(s[i], weighted_sum(mats[i], w, b), rtol=1e-12)
    with pytest.raises(ComputationError):
        topsis_batch(mats[0], w, b)
