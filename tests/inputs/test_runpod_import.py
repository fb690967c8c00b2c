"""RunPod as one source of the ``specialist_on_demand`` market for every GPU its file prices and
``gpus.csv`` knows: the excerpt of the SkyPilot catalog (``catalogs/v8/runpod/vms.csv`` at commit
01acdfd4, ``tests/inputs/data/skypilot/runpod/vms.csv``) through the importer, and the committed rows
that must agree with it (``data/README_gpu_markets.md``, "RunPod in the specialist market")."""

from __future__ import annotations

import csv
import re
import statistics
from datetime import date

import pytest
from conftest import DATA, ROOT

from llmstrategy.inputs.gpu_offers import load_offers, read_gpu_ids
from llmstrategy.inputs.skypilot_import import ACCELERATOR_GPU, PROVIDER_MARKET, scan_skypilot

EXCERPT = ROOT / "tests" / "inputs" / "data" / "skypilot" / "runpod" / "vms.csv"
COMMIT = "01acdfd419ce5afae1289ff14825b893ced0c196"
KNOWN = read_gpu_ids(DATA / "gpus.csv")
#: RunPod's per-GPU list price of each gpus.csv GPU at that commit (one price in every data centre)
RUNPOD = {
    "a100-80gb": 1.59,  # A100-80GB-SXM (RunPod's A100-80GB is the PCIe card: skipped)
    "b200": 6.79,
    "h100-sxm": 3.29,  # H100-SXM (RunPod's H100 is the PCIe card, H100-NVL the NVL card)
    "h200": 4.59,  # H200-SXM
    "l4": 0.49,
    "l40s": 0.99,
    "mi300x": 2.39,
}


def _excerpt_rows() -> list[dict[str, str]]:
    with EXCERPT.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def scan():
    return scan_skypilot([EXCERPT], DATA / "gpus.csv", as_of=date(2026, 11, 30), source="excerpt")


def test_the_excerpt_has_one_price_per_gpu_type_in_every_data_centre():
    rows = _excerpt_rows()
    per_gpu: dict[str, set[float]] = {}
    for r in rows:
        per_gpu.setdefault(r["AcceleratorName"], set()).add(round(float(r["Price"]) / float(r["AcceleratorCount"]), 6))
    assert all(len(prices) == 1 for prices in per_gpu.values()), per_gpu
    mapped = {name for name in per_gpu if ACCELERATOR_GPU.get(name) in KNOWN}
    for name in mapped:
        one_gpu = [r for r in rows if r["AcceleratorName"] == name and r["AcceleratorCount"] == "1.0"]
        assert len({r["Region"] for r in one_gpu}) == 14, name  # every region RunPod lists
        assert len(one_gpu) == len({r["AvailabilityZone"] for r in one_gpu}) == (43 if name == "L4" else 48), name


def test_the_importer_gives_one_runpod_row_per_gpu_at_runpods_price(scan):
    assert PROVIDER_MARKET["runpod"] == "specialist_on_demand"
    got = {r.gpu_id: r for r in scan.rows}
    assert {g: r.usd_per_gpu_hour for g, r in got.items()} == RUNPOD
    for gpu, row in got.items():
        assert (row.market, row.provider, row.region) == ("specialist_on_demand", "runpod", "runpod 14 regions")
        assert row.instance_type.startswith("1x_"), gpu
    # the A100 PCIe rows are not the a100-80gb (SXM) row; B300 and H100 NVL are not in gpus.csv
    assert scan.skipped == {"PCIe variant of an SXM GPU": 48, "accelerator not in gpus.csv, or cloud in no market": 2}


def test_a_larger_instance_at_the_same_per_gpu_price_is_not_the_offer(scan):
    # 9.87 / 3 is 3.2899999999999996 in binary and 4.9 / 10 is 0.49000000000000005: rounded, they tie
    # with the 1-GPU price, and the 1-GPU instance is kept (the fewest GPUs at the cheapest price)
    h100 = {q.instance_type for q in scan.quotes if q.gpu_id == "h100-sxm"}
    assert h100 == {"1x_H100-SXM_SECURE"}
    assert {q.usd_per_gpu_hour for q in scan.quotes if q.gpu_id == "h100-sxm"} == {3.29}
    assert {q.instance_type for q in scan.quotes if q.gpu_id == "l4"} == {"1x_L4_SECURE"}
    assert any(r["InstanceType"] == "3x_H100-SXM_SECURE" for r in _excerpt_rows())  # they are in the file


def _medians(source: str) -> dict[str, float]:
    found = re.search(r"per-cloud medians: (.*)$", source)
    assert found, source
    return {p: float(v) for p, v in (item.split() for item in found.group(1).split(", "))}


def test_every_specialist_row_of_a_gpu_runpod_prices_counts_runpod(scan):
    offers = {(o.gpu_id, o.market): o for o in load_offers(DATA / "gpu_offers.csv", KNOWN)}
    want = {r.gpu_id: r for r in scan.rows}
    for gpu, price in RUNPOD.items():
        row = offers[(gpu, "specialist_on_demand")]
        assert "runpod" in row.provider.split(";"), gpu
        assert want[gpu].instance_type in row.instance_type.split() and "runpod 14 regions" in row.region
        medians = _medians(row.source)
        assert medians["runpod"] == pytest.approx(price), gpu
        # the statistic: median over the clouds of each cloud's median
        assert row.usd_per_gpu_hour == pytest.approx(round(statistics.median(medians.values()), 4)), gpu
        assert sorted(medians) == row.provider.split(";")
        assert "catalogs/v8/runpod/vms.csv" in row.source and COMMIT in row.source
        assert "read 2026-11-30" in row.source and row.as_of == date(2026, 11, 30)
    # every specialist on-demand row comes from the same snapshot (one source text)
    sources = {o.source.split(". Statistic:")[0] for (g, m), o in offers.items() if m == "specialist_on_demand"}
    assert len(sources) == 1


def test_the_runpod_only_rows_are_the_excerpts_rows(scan):
    offers = {(o.gpu_id, o.market): o for o in load_offers(DATA / "gpu_offers.csv", KNOWN)}
    for row in scan.rows:
        committed = offers[(row.gpu_id, "specialist_on_demand")]
        if committed.provider == "runpod":  # MI300X and L4: RunPod is the only specialist cloud
            for field in ("usd_per_gpu_hour", "commitment_months", "provider", "instance_type", "region"):
                assert getattr(committed, field) == getattr(row, field), (row.gpu_id, field)
    assert {g for (g, m), o in offers.items() if m == "specialist_on_demand" and o.provider == "runpod"} == {
        "l4",
        "mi300x",
    }
    assert ("mi300x", "hyperscaler_on_demand") not in offers
