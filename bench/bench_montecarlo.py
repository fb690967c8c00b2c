"""Benchmark: the vectorized Monte Carlo against a per-sample loop over the same pricing.

One *evaluation* = one sample's horizon cost (upfront + every month) for one strategy.

* vectorized: :func:`cost_structure.cost_model` prices each strategy once (one-off), then
  :func:`montecarlo.monte_carlo` evaluates every sample × month with numpy;
* loop: for each sample, the sample's profile (volume, growth, retry, cache, utilization,
  engineer cost) and a catalog with API and GPU prices scaled, then :func:`pricing.price` for
  every strategy at the sample's monthly volumes (tokens per request held, as in the tests).

Also times ``simulate(ctx, samples=10_000)`` (pricing included) for every example profile.
The last line printed is the speed-up of the vectorized engine (one-off pricing included) over
the loop, per sample. Usage: ``python bench/bench_montecarlo.py [--loop-samples 5] [--profile NAME]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from llmstrategy.decision.cost_structure import cost_model
from llmstrategy.decision.montecarlo import MonteCarlo, monte_carlo, sample_profile, simulate
from llmstrategy.decision.spreads import load_uncertainty
from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.price import price
from llmstrategy.inputs.catalog import Catalog, load_catalog
from llmstrategy.inputs.profile import Profile, load_profile
from llmstrategy.inputs.strategies import STRATEGIES
from llmstrategy.inputs.workload import monthly_volumes, workload

DATA = Path(__file__).resolve().parent.parent / "data"


def loop_sample(p: Profile, cat: Catalog, mc: MonteCarlo, i: int) -> dict[str, float]:
    """One sample priced the straightforward way: horizon total per feasible strategy [USD]."""
    x = {k: float(v[i]) for k, v in mc.inputs.items()}
    ps = sample_profile(p, mc, i)
    ctx = pricing_context(ps, cat.with_price_multipliers(api=x["api_price_multiplier"], gpu=x["gpu_price_multiplier"]))
    vols = monthly_volumes(workload(ps).requests_per_month, ps.monthly_growth, ps.horizon_months)
    out = {}
    for s in STRATEGIES:
        if s.id in mc.strategies:
            sc = price(s, ctx, vols)
            out[s.id] = sc.upfront_usd + float(sc.monthly_usd.sum())
    return out


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="ecommerce_catalog_enrichment")
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--loop-samples", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cat = load_catalog(DATA)
    full = load_uncertainty(DATA)
    # the loop holds tokens per request and the sizing speed (no profile or catalog field carries it)
    spec = full.with_spread("tokens_per_request", sigma=0.0).with_spread("sizing_speed", sigma=0.0, median=1.0)

    print(f"simulate(ctx, samples={args.samples:,}) per example profile (pricing included; best of 3):")
    for f in sorted((DATA / "profiles").glob("*.yaml")):
        ctx = pricing_context(load_profile(f), cat)
        model = cost_model(ctx)
        t_all = best_of(lambda ctx=ctx: simulate(ctx, samples=args.samples), 3)
        t_mc = best_of(lambda model=model: monte_carlo(model, full, samples=args.samples), 3)
        print(
            f"  {f.stem:32s} {t_all * 1e3:7.1f} ms total, {t_mc * 1e3:6.1f} ms Monte Carlo "
            f"({len(model.structures)} feasible strategies, {ctx.profile.horizon_months} months)"
        )

    p = load_profile(DATA / "profiles" / f"{args.profile}.yaml")
    ctx = pricing_context(p, cat)
    t_price = best_of(lambda: cost_model(ctx), 3)
    model = cost_model(ctx)
    t_mc = best_of(lambda: monte_carlo(model, spec, samples=args.samples), args.repeat)
    mc = monte_carlo(model, spec, samples=max(args.loop_samples, 1), seed=1)
    n_strat = len(mc.strategies)
    t0 = time.perf_counter()
    totals = [loop_sample(p, cat, mc, i) for i in range(args.loop_samples)]
    t_loop = (time.perf_counter() - t0) / args.loop_samples
    worst = max(abs(mc.horizon_total_usd[s][i] / totals[i][s] - 1) for i in range(len(totals)) for s in totals[i])

    vec_rate = args.samples / (t_price + t_mc)
    mc_rate = args.samples / t_mc
    loop_rate = 1.0 / t_loop
    print(f"\nprofile {args.profile}: {n_strat} feasible strategies, {p.horizon_months} months")
    print(f"  one-off pricing + decomposition: {t_price * 1e3:.1f} ms")
    print(
        f"  vectorized Monte Carlo: {t_mc * 1e3:.1f} ms for {args.samples:,} samples = {mc_rate:,.0f} samples/s, "
        f"{mc_rate * n_strat:,.0f} evaluations/s (sample × strategy horizon costs)"
    )
    print(f"  vectorized incl. pricing: {vec_rate:,.0f} samples/s, {vec_rate * n_strat:,.0f} evaluations/s")
    print(
        f"  per-sample loop: {t_loop * 1e3:.1f} ms per sample = {loop_rate:,.2f} samples/s, "
        f"{loop_rate * n_strat:,.1f} evaluations/s (largest relative difference to the vectorized: {worst:.1e})"
    )
    print(f"  Monte Carlo only vs loop: {mc_rate / loop_rate:,.0f}×")
    print(f"speed-up: {vec_rate / loop_rate:,.0f}× (vectorized incl. one-off pricing vs per-sample loop, per sample)")


if __name__ == "__main__":
    main()
