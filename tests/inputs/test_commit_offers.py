"""The 1- and 3-year commitment offers (markets ``commit_1y`` and ``commit_3y`` of
``data/gpu_offers.csv``): sourced and dated, recomputed from committed excerpts of their sources (the
GCP Billing Catalog, the Azure Retail Prices API), cheaper than on demand, 3 years no dearer than 1,
and a self-hosted fleet priced in a commitment market uses only GPUs with an offer there
(``data/README_gpu_markets.md``)."""

from __future__ import annotations

import csv
import statistics
from datetime import date

import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.price import price
from llmstrategy.economics.serving import self_host_settings, usd_per_gpu_hour
from llmstrategy.errors import ProfileError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.gpu_offers import GpuOffer, load_offers, read_gpu_ids
from llmstrategy.inputs.skypilot_import import PROVIDER_MARKET
from llmstrategy.inputs.strategies import strategy

COMMIT = {"commit_1y": 1, "commit_3y": 3}  # market -> term in years
HOURS_PER_MONTH = 730  # the source's month (pricing.yml is built with -hours 730)
DAY = date(2026, 11, 29)
TEAM = {"ml_engineers": 2, "infra_engineers": 2}

# Excerpt of github.com/Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml at commit
# dac31281 (generated 2026-08-20), compute.instance.<machine>.cost.<region>: hour (on demand,
# USD per VM-hour), month_1y and month_3y (USD per VM-month of 730 h). GPUs per VM in brackets.
EXCERPT = {
    ("a3-highgpu-8g", "h100-sxm", 8): """
africa-south1 115.542415126575 58518.45085072 37042.73616816
asia-east1 102.358780070575 51837.84115728 32816.67618544
asia-east2 123.592088599233 62685.15467808 39688.42736512
asia-northeast1 126.643390632548 64132.97856896 40600.92161776
asia-northeast2 113.649246632548 57549.88528896 36437.45129776
asia-northeast3 113.649246632548 57549.88528896 36437.45129776
asia-south1 92.1347847438904 46650.87052016 29540.40148576
asia-south2 106.28463949589 53821.0578672 34076.16910768
asia-southeast1 114.278292967233 57874.21111168 36637.30872224
asia-southeast2 118.896688473644 60212.05791456 38119.01368864
australia-southeast1 110.678266832877 56042.84429392 35485.34708704
australia-southeast2 115.069909856877 58268.22627264 36893.09816048
europe-central2 113.95242432789 57706.57752192 36534.09926736
europe-north1 97.4356000232329 49340.04791792 31239.06680896
europe-southwest1 104.418201402959 52875.89632144 33477.776556
europe-west1 97.3698465985753 49309.80791792 31217.46680896
europe-west10 136.05105706389 68904.72585664 43617.90000288
europe-west12 114.09291986389 57777.78966432 36579.14858352
europe-west2 100.91807079189 51101.63758448 32355.89657792
europe-west3 104.43135208789 52881.94432144 33482.096556
europe-west4 112.540479175233 56991.96544192 36078.20074112
europe-west6 123.723595448548 62654.91467808 39666.82736512
europe-west8 102.648409134027 51979.69495296 32910.35725024
europe-west9 102.648409134027 51979.69495296 32910.35725024
me-central1 107.515357405589 54444.24738768 34470.7654248
me-central2 141.583993642521 71696.10850896 45393.60080512
me-west1 97.3390341992329 49291.08637408 31208.096448
northamerica-northeast1 97.4356000232329 49340.04791792 31239.06680896
northamerica-northeast2 97.4356000232329 49340.04791792 31239.06680896
southamerica-east1 140.455452825863 71127.35851152 45031.32280496
southamerica-west1 126.540722164603 64078.4154656 40570.52949376
us-central1 88.4899999025753 44810.08066464 28370.99821392
us-east1 88.4899999025753 44810.08066464 28370.99821392
us-east4 88.5557561512329 44840.32514976 28392.60150768
us-east5 99.5832010145753 50431.40192304 31926.97646816
us-south1 104.418201402959 52875.89632144 33477.776556
us-west1 88.4899999025753 44810.08066464 28370.99821392
us-west2 106.37242120789 53865.56611904 34104.32428496
us-west3 106.37242120789 53865.56611904 34104.32428496
us-west4 99.6489544392329 50461.64192304 31948.57646816
""",
    ("g2-standard-4", "l4", 1): """
africa-south1 0.924536568 425.1944276 303.71027748
asia-east1 0.818441088 376.40107868 268.85791376
asia-east2 0.988787668 454.74346688 324.81671492
asia-northeast1 0.907714004 417.45765108 298.18408404
asia-northeast2 0.907714004 417.45765108 298.18408404
asia-northeast3 0.907714004 417.45765108 298.18408404
asia-south1 0.735779362 338.38493292 241.70348326
asia-south2 0.82547382 379.6354634 273.63264228
asia-southeast1 0.872018928 401.04148992 286.45819916
asia-southeast2 0.95047734 437.1244964 312.23176604
australia-southeast1 0.883229213 406.19710908 290.14080899
australia-southeast2 0.918558368 422.44499064 301.74643732
europe-central2 0.899164832 413.52592656 295.37564556
europe-north1 0.778293004 357.93696968 255.66921108
europe-southwest1 0.834062084 383.585143 273.9894108
europe-west1 0.778293004 357.93696968 255.66921108
europe-west10 1.03546552 476.21054184 340.15041748
europe-west12 0.911813604 419.34307756 299.53081432
europe-west2 0.804789302 370.12263265 264.3732887
europe-west3 0.83302753 383.10938667 273.64954762
europe-west4 0.742916046 341.6671049 244.04787607
europe-west6 0.975748092 448.74013376 320.53097252
europe-west8 0.81992546 377.08370752 269.34550704
europe-west9 0.81992546 377.08370752 269.34550704
me-central1 0.85880122 394.96268648 282.11621464
me-central2 1.130931648 520.11548664 371.51105104
me-west1 0.777515508 357.57938356 255.41383956
northamerica-northeast1 0.778293004 357.93696968 255.66921108
northamerica-northeast2 0.778293004 357.93696968 255.66921108
southamerica-east1 1.122378956 516.18208896 368.70151464
southamerica-west1 1.010770076 464.85321644 332.03798004
us-central1 0.706832255 325.07215214 232.19438719
us-east1 0.706832255 325.07215214 232.19438719
us-east4 0.704517808 324.00776688 231.43411336
us-east5 0.79610514 366.12877856 261.52054944
us-south1 0.834062084 383.585143 273.9894108
us-west1 0.706832255 325.07215214 232.19438719
us-west2 0.849683096 390.76928032 279.12091952
us-west3 0.849683096 390.76928032 279.12091952
us-west4 0.79610514 366.12877856 261.52054944
""",
}

# Excerpt of github.com/markrusch/Compute-Indices site/data/term/latest.json at commit 0179a6c4
# (date 2026-09-27), list "pairs", source azure_retail (Azure Retail Prices API, Linux meters, European
# Economic Area regions only): per region, on demand, 1-year and 3-year reservation in USD per
# GPU-hour, as published (the reservation's whole-term retailPrice / term hours / 8 GPUs).
AZURE_EXCERPT = {
    ("Standard_ND96isr_H100_v5", "h100-sxm"): """
polandcentral 15.977 10.2253 7.0139
spaincentral 15.977 10.2253 7.0139
swedencentral 15.977 10.2253 7.0139
westeurope 15.977 10.2253 7.0139
""",
    ("Standard_ND96amsr_A100_v4", "a100-80gb"): """
francecentral 5.1203 3.277 2.2529
italynorth 5.1203 3.277 2.2529
norwayeast 5.8576 3.7489 2.5774
polandcentral 5.8613 3.7512 2.5789
spaincentral 5.1203 3.277 2.2529
swedencentral 5.1203 3.277 2.2529
westeurope 5.1203 3.277 2.2529
""",
    ("Standard_ND96isr_H200_v5", "h200"): """
francecentral 13.25 7.2689 6.5972
germanywestcentral 13.78 7.5597 6.8611
italynorth 13.78 7.5597 6.8611
northeurope 12.72 6.9782 6.3333
norwayeast 15.158 8.3157 7.5472
polandcentral 16.324 8.9554 8.1277
spaincentral 13.78 7.5597 6.8611
swedencentral 13.784 7.5619 6.8631
""",
}


@pytest.fixture(scope="module")
def offers() -> tuple[GpuOffer, ...]:
    return load_offers(DATA / "gpu_offers.csv", read_gpu_ids(DATA / "gpus.csv"))


def _commit(offers: tuple[GpuOffer, ...]) -> list[GpuOffer]:
    return [o for o in offers if o.market in COMMIT]


def _per_gpu(machine: str, gpus: int) -> dict[str, dict[int, float]]:
    """Region -> {0: on demand, 1: 1-year, 3: 3-year} USD per GPU-hour from the excerpt."""
    (block,) = [text for (m, _, n), text in EXCERPT.items() if m == machine and n == gpus]
    out = {}
    for line in block.strip().splitlines():
        region, hour, m1, m3 = line.split()
        out[region] = {
            0: float(hour) / gpus,
            1: float(m1) / HOURS_PER_MONTH / gpus,
            3: float(m3) / HOURS_PER_MONTH / gpus,
        }
    return out


def _azure_per_gpu(machine: str) -> dict[str, dict[int, float]]:
    """Region -> {0: on demand, 1: 1-year, 3: 3-year} USD per GPU-hour from the Azure excerpt."""
    (block,) = [text for (m, _), text in AZURE_EXCERPT.items() if m == machine]
    out = {}
    for line in block.strip().splitlines():
        region, od, one, three = line.split()
        out[region] = {0: float(od), 1: float(one), 3: float(three)}
    return out


def _by_cloud() -> dict[str, dict[str, tuple[str, dict[str, dict[int, float]]]]]:
    """GPU -> cloud -> (machine type, region -> prices): every excerpt, per cloud."""
    out: dict[str, dict[str, tuple[str, dict[str, dict[int, float]]]]] = {}
    for machine, gpu, gpus in EXCERPT:
        out.setdefault(gpu, {})["gcp"] = (machine, _per_gpu(machine, gpus))
    for machine, gpu in AZURE_EXCERPT:
        out.setdefault(gpu, {})["azure"] = (machine, _azure_per_gpu(machine))
    return out


def test_every_commitment_row_has_a_source_a_date_and_its_term(offers):
    rows = _commit(offers)
    assert {(o.gpu_id, o.market) for o in rows} >= {
        (g, m) for g in ("h100-sxm", "l4", "a100-80gb", "h200") for m in COMMIT
    }
    for o in rows:
        years = COMMIT[o.market]
        assert o.commitment_months == 12 * years
        assert o.source.strip() and o.provider and o.instance_type and o.region
        assert f"{years}-year" in o.source and "Conversion:" in o.source and "Statistic:" in o.source
        assert date(2026, 1, 1) <= o.as_of <= date.today()
    with (DATA / "gpu_offers.csv").open(newline="", encoding="utf-8") as fh:
        raw = [r for r in csv.DictReader(fh) if r["market"] in COMMIT]
    assert raw and all(r["source"].strip() and r["as_of"].strip() for r in raw)


def test_rows_are_the_median_over_clouds_of_each_clouds_median_over_regions(offers):
    by_key = {(o.gpu_id, o.market): o for o in _commit(offers)}
    assert len(_per_gpu("a3-highgpu-8g", 8)) == len(_per_gpu("g2-standard-4", 1)) == 40
    by_cloud = _by_cloud()
    assert set(by_key) == {(g, m) for g in by_cloud for m in COMMIT}  # no row without its excerpt
    for gpu, clouds in by_cloud.items():
        for market, years in COMMIT.items():
            row = by_key[(gpu, market)]
            per_cloud = {c: statistics.median(v[years] for v in r.values()) for c, (_, r) in clouds.items()}
            assert row.usd_per_gpu_hour == pytest.approx(statistics.median(per_cloud.values()), abs=5e-5)
            assert row.provider == ";".join(sorted(clouds))
            assert row.instance_type == " ".join(sorted(m for m, _ in clouds.values()))
            assert row.region == "; ".join(f"{c} {len(r)} regions" for c, (_, r) in sorted(clouds.items()))
            for cloud, (_machine, regions) in clouds.items():
                values = [v[years] for v in regions.values()]
                assert f"{min(values):.4f}" in row.source and f"{max(values):.4f}" in row.source
                assert len(clouds) == 1 or f"{per_cloud[cloud]:.4f}" in row.source  # each cloud's median, when several
            if "gcp" in clouds:
                gpus = next(n for _, g, n in EXCERPT if g == gpu)
                assert f"month_{years}y / 730 h / {gpus} GPU" in row.source
            if "azure" in clouds:
                assert f"/ {8760 * years} h / 8 GPUs" in row.source and "0179a6c4" in row.source


def test_a_commitment_is_below_the_same_snapshots_on_demand_price_in_every_region():
    for gpu, clouds in _by_cloud().items():
        for cloud, (machine, regions) in clouds.items():
            for region, v in regions.items():
                on_demand, one, three = v[0], v[1], v[3]
                assert three <= one < on_demand, (gpu, cloud, machine, region)
                # a discount, not a unit slip (an Azure reservation is a whole-term total: / term hours)
                assert 0.4 < three / on_demand < one / on_demand < 0.75, (gpu, cloud, machine, region)


def test_three_years_cost_no_more_than_one_for_the_same_gpu_and_cloud(offers):
    by_key = {(o.gpu_id, o.market): o for o in _commit(offers)}
    pairs = [(g, p) for (g, m), p in by_key.items() if m == "commit_1y" and (g, "commit_3y") in by_key]
    assert pairs
    for gpu, one in pairs:
        three = by_key[(gpu, "commit_3y")]
        assert three.provider == one.provider
        assert three.usd_per_gpu_hour <= one.usd_per_gpu_hour


def _per_cloud_medians(row: GpuOffer) -> dict[str, float]:
    """The per-cloud medians an on-demand row's source lists ("per-cloud medians: aws 8.4280, gcp ...")."""
    text = row.source.split("per-cloud medians: ", 1)[1]
    return {p: float(v) for p, v in (item.split() for item in text.split(", "))}


def test_a_commitment_is_below_its_own_clouds_on_demand_price(offers):
    # like with like: a commitment of cloud X against cloud X's on-demand median in the hyperscaler
    # (or specialist) row, and below the row itself. When that row has no quote of cloud X (Azure H200:
    # the SkyPilot v6 Azure catalog lists no H200), X's own on-demand price is the one its commitment
    # snapshot publishes in the same regions: the row must be below that snapshot's on-demand median
    # (and below it in every region, tested above) and below every cloud median of the on-demand row.
    on_demand = {(o.gpu_id, o.market): o for o in offers if o.commitment_months == 0}
    by_cloud = _by_cloud()
    rows = _commit(offers)
    assert len(rows) >= 4
    for o in rows:
        years = COMMIT[o.market]
        (family,) = {PROVIDER_MARKET[p] for p in o.provider.split(";")}  # one family per row
        row = on_demand.get((o.gpu_id, family))
        assert row is not None, f"{o.gpu_id} {o.market}: no {family} row to compare with"
        medians = _per_cloud_medians(row)
        for cloud in o.provider.split(";"):
            if cloud in medians:
                assert o.usd_per_gpu_hour < medians[cloud], (o.gpu_id, o.market, cloud, medians[cloud])
                continue
            _, regions = by_cloud.get(o.gpu_id, {}).get(cloud, ("", {}))
            assert regions, f"{o.gpu_id} {o.market}: {cloud} has no on-demand price in {family} or its snapshot"
            own = statistics.median(v[0] for v in regions.values())
            mine = statistics.median(v[years] for v in regions.values())
            assert o.usd_per_gpu_hour == pytest.approx(mine, abs=5e-5) and mine < own, (o.gpu_id, o.market, cloud)
            assert o.usd_per_gpu_hour < min(medians.values()), (o.gpu_id, o.market, medians)
            assert "same snapshot, same region" in o.source and f"{own:.4f}" in o.source
        assert o.usd_per_gpu_hour < row.usd_per_gpu_hour, (o.gpu_id, o.market)


def test_h200_commitments_are_azures_and_make_h200_a_candidate(offers, cat):
    # Azure ND96isr_H200_v5 reservations (Compute-Indices 0179a6c4, 2026-09-27): 8 European regions,
    # 1 year 0.5486 and 3 years 0.4979 of the same region's on-demand price
    by_key = {(o.gpu_id, o.market): o for o in offers}
    one, three = by_key[("h200", "commit_1y")], by_key[("h200", "commit_3y")]
    assert (one.usd_per_gpu_hour, three.usd_per_gpu_hour) == (7.5597, 6.8611)
    assert one.provider == three.provider == "azure" and one.instance_type == "Standard_ND96isr_H200_v5"
    for region, v in _azure_per_gpu("Standard_ND96isr_H200_v5").items():
        assert v[1] / v[0] == pytest.approx(0.5486, abs=1e-3) and v[3] / v[0] == pytest.approx(0.4979, abs=1e-3), region
    assert {g for (g, m) in cat.gpu_offers if m == "commit_1y"} == {"h100-sxm", "h200", "a100-80gb", "l4"}


def test_the_gcp_on_demand_median_is_the_commitment_snapshots_on_demand_price(offers):
    # the GCP on-demand quotes of H100 and L4 come from the same Billing Catalog snapshot as the
    # commitments (README: "How an on-demand price is formed"), so the per-cloud median is the excerpt's
    on_demand = {(o.gpu_id, o.market): o for o in offers if o.market == "hyperscaler_on_demand"}
    for machine, gpu, gpus in EXCERPT:
        values = [v[0] for v in _per_gpu(machine, gpus).values()]
        gcp = _per_cloud_medians(on_demand[(gpu, "hyperscaler_on_demand")])["gcp"]
        assert gcp == pytest.approx(statistics.median(values), abs=5e-5)


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


@pytest.mark.parametrize("market", sorted(COMMIT))
@pytest.mark.parametrize("pricing", [None, "reserved"])
def test_self_host_in_a_commitment_market_uses_only_its_gpus_at_their_price(cat, market, pricing):
    chosen = {"gpu_pricing": pricing} if pricing else {}
    p = make_profile(requests_per_day=3e6, team=TEAM, assumptions={"gpu_market": market, **chosen})
    ctx = pricing_context(p, cat, on_date=DAY)
    s = self_host_settings(ctx)
    assert s.gpu_pricing == "reserved"  # paid every hour of the term: no scaling down off-peak
    sc = price(strategy("self_host"), ctx, [1e8])
    assert sc.feasible, sc.reasons
    offered = {g for (g, m) in cat.gpu_offers if m == market}
    assert sc.details["gpu"] in offered and sc.details["gpu_market"] == market
    assert {row["gpu"] for row in sc.details["fleet_by_volume"]} <= offered
    # a commitment price is what a committed fleet pays: no generic reserved discount on top
    assert sc.details["usd_per_gpu_hour"] == pytest.approx(cat.gpu_offers[(sc.details["gpu"], market)])
    assert usd_per_gpu_hour(cat.gpus["h100-sxm"], s) == cat.gpu_offers[("h100-sxm", market)]


@pytest.mark.parametrize("market", ["commit_1y", "commit_3y", "owned"])
def test_on_demand_scaling_on_gpus_paid_every_hour_is_a_one_line_error(cat, market):
    p = make_profile(team=TEAM, assumptions={"gpu_market": market, "gpu_pricing": "on_demand"})
    with pytest.raises(ProfileError) as err:
        self_host_settings(pricing_context(p, cat, on_date=DAY))
    assert err.value.field == "assumptions.gpu_pricing" and "\n" not in str(err.value)


def test_a_gpu_without_a_commitment_offer_is_refused_in_that_market(cat):
    p = make_profile(team=TEAM, assumptions={"gpu": "mi300x", "gpu_market": "commit_1y"})
    sc = price(strategy("self_host"), pricing_context(p, cat, on_date=DAY), [1e6])
    assert not sc.feasible and "commit_1y" in sc.reasons[0]
