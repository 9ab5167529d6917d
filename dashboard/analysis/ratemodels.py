"""Count models behind the ceasefire numbers: rate ratios, their intervals and the ITS.

Why these models: weekly incident counts in a zone come in bursts (an offensive, a
quiet month), so their variance is two to three times their mean. An exact Poisson
interval assumes variance = mean and is too narrow; the headline intervals here come
from a negative-binomial (NB2) model whose dispersion is estimated by maximum
likelihood, fitted to counts per period with the covered days as exposure, so a
window cut short by the data's end or the zone's end is divided by the days it has.

The exact conditional Poisson interval stays beside it as a secondary figure. When a
window (or one cell of the inside/ring table) has no incidents no model can be
fitted, and the exact interval gives a one-sided bound instead of a silent gap.

Everything here takes plain arrays: no frames, no zones, so it is tested alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # two-sided 95%
NB_WORDS = "negative binomial (dispersion by maximum likelihood)"
EXACT_WORDS = "exact conditional Poisson"


@dataclass(frozen=True)
class Estimate:
    """A ratio with its 95% interval and the method in words.

    ``one_sided`` is "lower" when only a lower bound exists (``hi`` is inf), "upper"
    when only an upper bound does (``lo`` is 0); the bound is then a 97.5% one-sided
    bound, the matching half of the two-sided 95% interval.
    """

    ratio: float | None
    lo: float | None
    hi: float | None
    method: str
    one_sided: str | None = None
    dispersion: float | None = None   # NB2 alpha: variance = mean + alpha * mean^2
    note: str = ""                    # why this method (a fallback, a zero window)

    def interval_words(self) -> str:
        if self.one_sided == "lower":
            return f"at least {fmt(self.lo)}"
        if self.one_sided == "upper":
            return f"at most {fmt(self.hi)}"
        if self.lo is None:
            return "no interval"
        return f"95% CI {fmt(self.lo)}–{fmt(self.hi)}"


def fmt(value: float | None) -> str:
    if value is None or not np.isfinite(value):
        return "–" if value is None or np.isnan(value) else "∞"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Series:
    """Counts per period (a week or a day) with the covered days in each."""

    bins: np.ndarray       # period number relative to the reference day (0 = first after)
    counts: np.ndarray
    exposure: np.ndarray   # covered days in the period (> 0)

    @property
    def post(self) -> np.ndarray:
        return (self.bins >= 0).astype(float)


def period_series(event_days: np.ndarray, covered_days: np.ndarray, origin: int,
                  width: int) -> Series:
    """Bin events and covered days into periods of ``width`` days counted from
    ``origin`` (the reference day is the first day of bin 0). Periods without a
    covered day are dropped; events on uncovered days must not be passed."""
    cbins = np.floor_divide(np.asarray(covered_days, dtype=np.int64) - origin, width)
    bins, exposure = np.unique(cbins, return_counts=True)
    ebins = np.floor_divide(np.asarray(event_days, dtype=np.int64) - origin, width)
    counts = np.zeros(len(bins), dtype=np.int64)
    where = np.searchsorted(bins, ebins)
    ok = (where < len(bins)) & (bins[np.minimum(where, len(bins) - 1)] == ebins)
    np.add.at(counts, where[ok], 1)
    return Series(bins, counts, exposure.astype(float))


def exact_rate_ratio(after: int, before: int, after_days: float, before_days: float) -> Estimate:
    """After/before rate ratio with the exact conditional 95% interval.

    Given n = after + before, ``after`` is binomial with p = r*t_a / (r*t_a + t_b);
    the Clopper–Pearson interval for p maps onto the rate ratio r.
    """
    from scipy.stats import binomtest

    if after + before == 0:
        return Estimate(None, None, None, EXACT_WORDS, note="no incidents in either window")
    scale = before_days / after_days
    ci = binomtest(after, after + before).proportion_ci(confidence_level=0.95, method="exact")

    def to_ratio(p: float) -> float:
        return float("inf") if p >= 1 else p / (1 - p) * scale

    lo, hi = to_ratio(ci.low), to_ratio(ci.high)
    if before == 0:
        return Estimate(None, lo, float("inf"), EXACT_WORDS, one_sided="lower",
                        note="no incidents before, so only a lower bound exists")
    if after == 0:
        return Estimate(0.0, 0.0, hi, EXACT_WORDS, one_sided="upper",
                        note="no incidents after, so only an upper bound exists")
    return Estimate(after / before * scale, lo, hi, EXACT_WORDS)


def _nb_fit(counts: np.ndarray, design: np.ndarray, exposure: np.ndarray):
    """An NB2 fit by maximum likelihood, or the reason it cannot be trusted."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.NegativeBinomial(counts, design, exposure=exposure,
                                      loglike_method="nb2").fit(disp=0, maxiter=200)
        except (ValueError, np.linalg.LinAlgError) as err:  # singular design, overflow
            return None, f"the model could not be fitted ({err})"
        bse = np.asarray(fit.bse)
        if not fit.mle_retvals.get("converged", False):
            return None, "the model's fit did not converge"
        if not np.all(np.isfinite(bse)) or not np.all(np.isfinite(fit.params)):
            return None, "the model's intervals are not finite"
    return fit, ""


def _quasi_poisson_fit(counts: np.ndarray, design: np.ndarray, exposure: np.ndarray):
    """Poisson GLM with the Pearson dispersion as scale (never below 1)."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(counts, design, family=sm.families.Poisson(),
                     exposure=exposure).fit()
        scale = max(1.0, fit.pearson_chi2 / max(1, fit.df_resid))
        return sm.GLM(counts, design, family=sm.families.Poisson(),
                      exposure=exposure).fit(scale=scale), scale


def _coefficient(counts: np.ndarray, design: np.ndarray, exposure: np.ndarray, column: int,
                 unit: str) -> Estimate | None:
    """exp(coefficient ``column``) with a Wald 95% interval on the log scale: NB2 by
    maximum likelihood, else quasi-Poisson (said in the method)."""
    fit, why = _nb_fit(counts, design, exposure)
    if fit is not None:
        beta, se = float(fit.params[column]), float(fit.bse[column])
        alpha = float(fit.params[-1])
        method = f"{NB_WORDS}, {unit}"
        note = ""
    else:
        qp, scale = _quasi_poisson_fit(counts, design, exposure)
        beta, se = float(qp.params[column]), float(qp.bse[column])
        if not (np.isfinite(beta) and np.isfinite(se)):
            return None
        alpha = None
        method = f"quasi-Poisson (Pearson dispersion {scale:.2f}), {unit}"
        note = f"negative binomial not used: {why}"
    return Estimate(float(np.exp(beta)), float(np.exp(beta - Z95 * se)),
                    float(np.exp(beta + Z95 * se)), method, dispersion=alpha, note=note)


def modelled_rate_ratio(series: Series, unit: str) -> Estimate | None:
    """After/before rate ratio from an NB2 model of the counts per period with a
    post indicator and the covered days as exposure. With two groups the point
    estimate is exactly (after/after days) / (before/before days); the model only
    widens the interval by the estimated dispersion. None when a window is empty."""
    post = series.post
    if series.counts[post == 1].sum() == 0 or series.counts[post == 0].sum() == 0:
        return None
    design = np.column_stack([np.ones(len(post)), post])
    return _coefficient(series.counts, design, series.exposure, 1, unit)


def rate_ratio(series: Series, unit: str) -> tuple[Estimate, Estimate]:
    """(headline, exact Poisson) after/before rate ratios for one area."""
    post = series.post == 1
    after, before = int(series.counts[post].sum()), int(series.counts[~post].sum())
    exact = exact_rate_ratio(after, before, float(series.exposure[post].sum()),
                             float(series.exposure[~post].sum()))
    model = modelled_rate_ratio(series, unit) if post.sum() >= 2 and (~post).sum() >= 2 else None
    if model is None:
        why = exact.note or "too few periods to estimate the dispersion"
        return _as_headline(exact, why), exact
    return model, exact


def _as_headline(exact: Estimate, why: str) -> Estimate:
    return Estimate(exact.ratio, exact.lo, exact.hi,
                    f"{EXACT_WORDS} (the negative binomial model cannot be fitted: {why}; "
                    "it assumes no overdispersion, so the true interval is likely wider)",
                    one_sided=exact.one_sided, note=why)


def exact_ratio_of_ratios(inside: tuple[int, int], ring: tuple[int, int]) -> Estimate:
    """(inside after/before) / (ring after/before), exact conditional interval.

    Inside and ring share their covered days, so the exposures cancel and the ratio
    is the odds ratio of the 2x2 table; conditional on the margins it is exact
    (Fisher), and a zero cell leaves a one-sided bound.
    """
    from scipy.stats.contingency import odds_ratio

    (ib, ia), (rb, ra) = inside, ring
    if min(ia + ib, ra + rb, ia + ra, ib + rb) == 0:
        return Estimate(None, None, None, EXACT_WORDS, note="a whole row or column is empty")
    result = odds_ratio([[ia, ib], [ra, rb]], kind="conditional")
    ci = result.confidence_interval(confidence_level=0.95)
    lo, hi = float(ci.low), float(ci.high)
    if ib == 0 or ra == 0:
        return Estimate(None, lo, float("inf"), EXACT_WORDS, one_sided="lower",
                        note="a window has no incidents, so only a lower bound exists")
    if ia == 0 or rb == 0:
        return Estimate(0.0, 0.0, hi, EXACT_WORDS, one_sided="upper",
                        note="a window has no incidents, so only an upper bound exists")
    return Estimate((ia / ib) / (ra / rb), lo, hi, EXACT_WORDS)


def ratio_of_ratios(inside: Series, ring: Series, unit: str) -> tuple[Estimate, Estimate]:
    """(headline, exact) ratio of the inside and ring rate ratios: the area x period
    interaction of an NB2 model of both areas' counts per period."""
    cells = [(int(s.counts[s.post == p].sum())) for s in (inside, ring) for p in (0, 1)]
    exact = exact_ratio_of_ratios((cells[0], cells[1]), (cells[2], cells[3]))
    if min(cells) == 0 or len(inside.bins) < 4:
        return _as_headline(exact, exact.note or "too few periods"), exact
    post = np.concatenate([inside.post, ring.post])
    area = np.concatenate([np.ones(len(inside.bins)), np.zeros(len(ring.bins))])  # 1 = inside
    design = np.column_stack([np.ones(len(post)), post, area, post * area])
    counts = np.concatenate([inside.counts, ring.counts])
    exposure = np.concatenate([inside.exposure, ring.exposure])
    est = _coefficient(counts, design, exposure, 3, unit)  # inside x post
    if est is None:
        return _as_headline(exact, "the model could not be fitted"), exact
    return est, exact


@dataclass(frozen=True)
class TrendFit:
    """Interrupted time series: weekly counts ~ trend + step at R + trend change."""

    model: str
    level_irr: float
    level_ci: tuple[float, float]
    slope_irr: float
    slope_ci: tuple[float, float]
    dispersion: float | None
    ljung_box_p: float | None      # residual autocorrelation test (None: too few weeks)
    fitted: list[float]            # expected count for each bin's covered days
    counterfactual: list[float]    # the pre-R trend carried on, same exposure


def interrupted_time_series(series: Series) -> tuple[TrendFit | None, str]:
    """NB2 fit of log(rate) = b0 + b1*t + b2*post + b3*t*post with covered days as
    exposure, or None and the reason it is refused in words."""
    post = series.post
    n_before, n_after = int((post == 0).sum()), int((post == 1).sum())
    if n_before < 3 or n_after < 3:
        return None, (f"{n_before} week(s) before and {n_after} after are covered; a trend "
                      "needs at least 3 on each side")
    before, after = series.counts[post == 0].sum(), series.counts[post == 1].sum()
    if before == 0 or after == 0:
        side = "before" if before == 0 else "after"
        return None, (f"every week {side} the reference day has zero incidents, so a level "
                      "change cannot be estimated")
    if before + after < 5:
        return None, f"only {before + after} incidents in all weeks: too few to fit a trend"
    t = series.bins.astype(float)
    design = np.column_stack([np.ones(len(t)), t, post, t * post])
    fit, why = _nb_fit(series.counts, design, series.exposure)
    if fit is None:
        return None, why
    params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    ci = np.column_stack([params - Z95 * bse, params + Z95 * bse])
    with np.errstate(over="ignore"):
        level = np.exp([params[2], *ci[2]])
        slope = np.exp([params[3], *ci[3]])
    if not (np.all(np.isfinite(level)) and np.all(np.isfinite(slope))) or level[2] / level[1] > 1e4:
        return None, "the fit's intervals are not finite (the data cannot pin down a level change)"
    alpha = float(params[-1])
    linear = design @ params[:4]
    fitted = np.exp(linear) * series.exposure
    counterfactual = np.exp(params[0] + params[1] * t) * series.exposure
    resid = (series.counts - fitted) / np.sqrt(fitted + alpha * fitted ** 2)
    return TrendFit(NB_WORDS, float(level[0]), (float(level[1]), float(level[2])),
                    float(slope[0]), (float(slope[1]), float(slope[2])), alpha,
                    ljung_box(resid), fitted.tolist(), counterfactual.tolist()), ""


def ljung_box(residuals: np.ndarray) -> float | None:
    """p-value of the Ljung–Box test of the residuals at lag min(4, n/5)."""
    from statsmodels.stats.diagnostic import acorr_ljungbox

    lags = min(4, len(residuals) // 5)
    if lags < 1:
        return None
    table = acorr_ljungbox(residuals, lags=[lags])
    return float(table["lb_pvalue"].iloc[0])
