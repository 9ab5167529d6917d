"""The count models against statsmodels and scipy fitted here, hand binning and a
seeded coverage simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize, special
from scipy.stats import binomtest
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.diagnostic import acorr_ljungbox

from dashboard.analysis.ratemodels import (
    Series,
    exact_rate_ratio,
    exact_ratio_of_ratios,
    interrupted_time_series,
    ljung_box,
    modelled_rate_ratio,
    period_series,
    rate_ratio,
    ratio_of_ratios,
)

Z = 1.959963984540054


def nb_counts(rng, mean, alpha, n):
    """Gamma-Poisson (NB2) counts: variance = mean + alpha * mean^2."""
    return rng.poisson(rng.gamma(1 / alpha, mean * alpha, size=n))


def weekly(before, after, exposure=None) -> Series:
    bins = np.arange(-len(before), len(after))
    exp = np.full(len(bins), 7.0) if exposure is None else np.asarray(exposure, float)
    return Series(bins, np.r_[before, after].astype(np.int64), exp)


def nb2_loglike(params, y, x, offset):
    """NB2 log-likelihood written out here, for an independent maximum-likelihood fit."""
    beta, alpha = params[:-1], np.exp(params[-1])
    mu = np.exp(x @ beta + offset)
    r = 1 / alpha
    return np.sum(special.gammaln(y + r) - special.gammaln(r) - special.gammaln(y + 1)
                  + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))


def test_rm001_period_series_bins_and_partial_weeks():
    # reference day = day 100; covered: 90..99 (before) and 100..111 (after)
    covered = np.arange(90, 112)
    events = np.array([90, 92, 99, 100, 106, 107, 111])
    s = period_series(events, covered, 100, 7)
    assert s.bins.tolist() == [-2, -1, 0, 1]
    assert s.exposure.tolist() == [3, 7, 7, 5]   # 90-92 | 93-99 | 100-106 | 107-111
    assert s.counts.tolist() == [2, 1, 2, 2]
    assert s.post.tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize(("after", "before", "ta", "tb"), [
    (10, 5, 90, 90), (3, 12, 90, 90), (20, 20, 30, 90), (1, 1, 10, 10), (45, 89, 31, 90)])
def test_rm002_exact_rate_ratio_matches_scipy(after, before, ta, tb):
    rr = exact_rate_ratio(after, before, ta, tb)
    ci = binomtest(after, after + before).proportion_ci(method="exact")
    scale = tb / ta
    assert rr.ratio == pytest.approx(after / ta / (before / tb))
    assert rr.lo == pytest.approx(ci.low / (1 - ci.low) * scale)
    assert rr.hi == pytest.approx(ci.high / (1 - ci.high) * scale)
    assert rr.one_sided is None


def test_rm003_exact_rate_ratio_with_a_zero_window_is_one_sided():
    none_before = exact_rate_ratio(8, 0, 25, 59)
    p_low = 0.025 ** (1 / 8)                     # Clopper–Pearson lower bound for 8 of 8
    assert none_before.one_sided == "lower" and none_before.ratio is None
    assert none_before.lo == pytest.approx(p_low / (1 - p_low) * 59 / 25)
    assert none_before.hi == float("inf")
    assert none_before.interval_words().startswith("at least ")
    none_after = exact_rate_ratio(0, 6, 90, 90)
    p_high = 1 - 0.025 ** (1 / 6)
    assert (none_after.ratio, none_after.lo, none_after.one_sided) == (0.0, 0.0, "upper")
    assert none_after.hi == pytest.approx(p_high / (1 - p_high))
    assert exact_rate_ratio(0, 0, 90, 90).ratio is None


def test_rm004_modelled_rate_ratio_matches_statsmodels_and_a_hand_written_likelihood():
    rng = np.random.default_rng(11)
    before, after = nb_counts(rng, 6, 0.5, 13), nb_counts(rng, 3, 0.5, 13)
    exposure = np.r_[6.0, np.full(12, 7.0), np.full(12, 7.0), 4.0]  # partial first/last weeks
    s = weekly(before, after, exposure)
    ours = modelled_rate_ratio(s, "weekly counts")

    x = sm.add_constant(s.post)
    fit = sm.NegativeBinomial(s.counts, x, exposure=exposure).fit(disp=0)
    assert ours.ratio == pytest.approx(np.exp(fit.params[1]), rel=1e-4)
    assert ours.lo == pytest.approx(np.exp(fit.params[1] - Z * fit.bse[1]), rel=1e-3)
    assert ours.hi == pytest.approx(np.exp(fit.params[1] + Z * fit.bse[1]), rel=1e-3)
    assert ours.dispersion == pytest.approx(fit.params[2], rel=1e-3)
    # Part weeks weigh a little differently from the crude ratio of rates per covered day.
    post = s.post == 1
    crude = (s.counts[post].sum() / exposure[post].sum()) / (s.counts[~post].sum()
                                                             / exposure[~post].sum())
    assert ours.ratio == pytest.approx(crude, rel=0.05)
    # And scipy maximising the NB2 likelihood written out above agrees on alpha.
    res = optimize.minimize(lambda p: -nb2_loglike(p, s.counts, x, np.log(exposure)),
                            np.zeros(3), method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000})
    assert np.exp(res.x[1]) == pytest.approx(ours.ratio, rel=1e-3)
    assert np.exp(res.x[2]) == pytest.approx(ours.dispersion, rel=1e-2)


def test_rm005_rate_ratio_headline_and_secondary():
    s = weekly([5, 9, 0, 14, 3, 7], [2, 0, 6, 1, 1, 3])
    headline, exact = rate_ratio(s, "weekly counts")
    # Whole weeks: the ML estimate is exactly the ratio of incidents per covered day.
    assert headline.ratio == pytest.approx((13 / 42) / (38 / 42), rel=1e-5)
    assert headline.method.startswith("negative binomial")
    assert exact.method == "exact conditional Poisson"
    assert headline.ratio == pytest.approx(exact.ratio, rel=1e-4)
    assert headline.hi - headline.lo > exact.hi - exact.lo   # overdispersed: wider


def test_rm006_rate_ratio_with_no_incidents_before_falls_back_to_a_one_sided_bound():
    headline, exact = rate_ratio(weekly([0, 0, 0, 0], [2, 1, 3, 2]), "weekly counts")
    assert headline.one_sided == "lower" and headline.lo == pytest.approx(exact.lo)
    assert "cannot be fitted" in headline.method and "likely wider" in headline.method


def test_rm007_ratio_of_ratios_matches_statsmodels_interaction():
    rng = np.random.default_rng(5)
    inside = weekly(nb_counts(rng, 5, 0.4, 13), nb_counts(rng, 3, 0.4, 13))
    ring = weekly(nb_counts(rng, 4, 0.4, 13), nb_counts(rng, 4, 0.4, 13))
    ours, exact = ratio_of_ratios(inside, ring, "weekly counts")
    post = np.r_[inside.post, ring.post]
    area = np.r_[np.ones(26), np.zeros(26)]
    x = sm.add_constant(np.column_stack([post, area, post * area]))
    fit = sm.NegativeBinomial(np.r_[inside.counts, ring.counts], x,
                              exposure=np.full(52, 7.0)).fit(disp=0)
    assert ours.ratio == pytest.approx(np.exp(fit.params[3]), rel=1e-3)
    assert ours.lo == pytest.approx(np.exp(fit.params[3] - Z * fit.bse[3]), rel=1e-3)
    cells = [[inside.counts[13:].sum(), inside.counts[:13].sum()],
             [ring.counts[13:].sum(), ring.counts[:13].sum()]]
    ci = odds_ratio(cells, kind="conditional").confidence_interval()
    assert (exact.lo, exact.hi) == pytest.approx((ci.low, ci.high))


def test_rm008_ratio_of_ratios_with_an_empty_cell_is_a_one_sided_exact_bound():
    est = exact_ratio_of_ratios((0, 9), (5, 4))       # nothing inside before
    ci = odds_ratio([[9, 0], [4, 5]], kind="conditional").confidence_interval()
    assert est.one_sided == "lower" and est.lo == pytest.approx(ci.low) and est.ratio is None
    headline, _ = ratio_of_ratios(weekly([0, 0, 0, 0], [3, 2, 1, 3]),
                                  weekly([1, 2, 1, 1], [1, 0, 2, 1]), "weekly counts")
    assert headline.one_sided == "lower" and np.isfinite(headline.lo)


def test_rm009_its_matches_statsmodels_negative_binomial_with_exposure():
    rng = np.random.default_rng(3)
    t = np.arange(-13, 13)
    exposure = np.full(26, 7.0)
    exposure[0], exposure[-1] = 6, 3
    mu = np.exp(1.8 + 0.02 * t - 0.9 * (t >= 0) - 0.03 * t * (t >= 0)) * exposure / 7
    counts = rng.poisson(rng.gamma(1 / 0.3, mu * 0.3))
    fit, why = interrupted_time_series(Series(t, counts, exposure))
    assert why == ""
    post = (t >= 0).astype(float)
    x = sm.add_constant(np.column_stack([t, post, t * post]))
    ref = sm.NegativeBinomial(counts, x, exposure=exposure).fit(disp=0)
    assert fit.level_irr == pytest.approx(np.exp(ref.params[2]), rel=1e-3)
    assert fit.slope_irr == pytest.approx(np.exp(ref.params[3]), rel=1e-3)
    assert fit.level_ci[0] == pytest.approx(np.exp(ref.params[2] - Z * ref.bse[2]), rel=1e-3)
    assert fit.dispersion == pytest.approx(ref.params[4], rel=1e-2)
    assert fit.fitted == pytest.approx(ref.predict(x, exposure=exposure), rel=1e-3)


@pytest.mark.parametrize(("before", "after", "words"), [
    ([0, 0, 0, 0, 0], [1, 2, 0, 3, 1], "every week before the reference day has zero"),
    ([3, 1, 2, 4], [0, 0, 0, 0], "every week after the reference day has zero"),
    ([3, 1], [2, 2, 2, 1], "2 week(s) before and 4 after"),
    ([1, 0, 0, 1], [0, 1, 0, 0], "too few to fit a trend"),
])
def test_rm010_its_refuses_degenerate_fits_in_words(before, after, words):
    fit, why = interrupted_time_series(weekly(before, after))
    assert fit is None and words in why


def test_rm011_ljung_box_matches_statsmodels():
    rng = np.random.default_rng(2)
    resid = np.zeros(40)                          # AR(1), phi = 0.8: autocorrelated
    for i in range(1, 40):
        resid[i] = 0.8 * resid[i - 1] + rng.normal()
    expected = acorr_ljungbox(resid, lags=[4])["lb_pvalue"].iloc[0]
    assert ljung_box(resid) == pytest.approx(expected)
    assert ljung_box(resid) < 0.05
    assert ljung_box(resid[:4]) is None


def test_rm012_headline_interval_covers_a_true_ratio_of_one_where_exact_poisson_does_not():
    """Seeded simulation: 300 zones, 13 weeks either side, overdispersed weekly counts
    (NB2, alpha 0.5, about 6 a week) and no change at the reference day."""
    rng = np.random.default_rng(2026)
    covered_nb = covered_exact = fits = 0
    for _ in range(300):
        s = weekly(nb_counts(rng, 6, 0.5, 13), nb_counts(rng, 6, 0.5, 13))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            headline, exact = rate_ratio(s, "weekly counts")
        fits += headline.method.startswith("negative binomial")
        covered_nb += headline.lo <= 1 <= headline.hi
        covered_exact += exact.lo <= 1 <= exact.hi
    assert fits >= 290
    assert 0.90 <= covered_nb / 300 <= 0.99
    assert covered_exact / 300 < 0.75
