"""The ``owned`` market's purchase prices and power against a committed excerpt of their source,
the owned rows as a lower bound of every rented price of the same GPU, and the rows table of
``data/README_gpu_markets.md`` against ``data/gpu_offers.csv`` (issue 15)."""

from __future__ import annotations

import re

import pytest
from conftest import DATA

from llmstrategy.inputs.gpu_offers import load_offers, read_gpu_ids
from llmstrategy.inputs.gpu_owned import load_owned_inputs, owned_usd_per_gpu_hour

KNOWN = read_gpu_ids(DATA / "gpus.csv")

# Excerpt of github.com/huggingface/huggingface.js packages/tasks/src/hardware-nvidia.ts and
# hardware-amd.ts at commit fe42e68017ffc76d09922ea8f9b38a6964345710 (2026-08-21), the data of the
# Hugging Face hardware catalog: SKU -> (msrp USD, power W). gpus.csv id -> catalog SKU.
HF_CATALOG = {
    "H100": (30_000, 700),
    "H200": (32_000, 700),
    "B200": (40_000, 1000),
    "A100": (15_000, 400),
    "L40s": (8_500, 350),
    "L4": (2_500, 72),
    "MI300": (15_000, 750),
    "A10": (3_200, 150),  # the PCIe card; not the AWS-only A10G (no owned a10g row, see the README)
}
SKU_OF = {
    "h100-sxm": "H100",
    "h200": "H200",
    "b200": "B200",
    "a100-80gb": "A100",
    "l40s": "L40s",
    "l4": "L4",
    "mi300x": "MI300",
}


@pytest.fixture(scope="module")
def inputs():
    return {i.gpu_id: i for i in load_owned_inputs(DATA / "gpu_owned_inputs.csv", KNOWN)}


@pytest.fixture(scope="module")
def offers():
    return load_offers(DATA / "gpu_offers.csv", KNOWN)


def test_owned_inputs_are_the_catalog_figures(inputs):
    assert set(inputs) == set(SKU_OF), "an owned GPU without its catalog excerpt, or the reverse"
    for gpu, inp in inputs.items():
        msrp, watts = HF_CATALOG[SKU_OF[gpu]]
        assert inp.purchase_usd == msrp, gpu
        assert inp.power_kw == pytest.approx(watts / 1000), gpu
        assert "huggingface" in inp.purchase_source.lower() and "huggingface" in inp.power_source.lower()


def test_no_owned_a10g_from_another_card(inputs):
    # The A10G is not sold as a card; the A10's price would price another card's performance.
    assert "a10g" not in inputs


def test_new_owned_rows_by_hand(offers):
    # 4-year life, PUE 1.58, $0.0895/kWh, $184.06/kW-month, as in data/gpu_owned_inputs.csv.
    by_hand = {
        "b200": 40_000 / 35_040 + 1.0 * 1.58 * 0.0895 + 1.0 * 184.06 / 730,
        "a100-80gb": 15_000 / 35_040 + 0.4 * 1.58 * 0.0895 + 0.4 * 184.06 / 730,
        "l4": 2_500 / 35_040 + 0.072 * 1.58 * 0.0895 + 0.072 * 184.06 / 730,
    }
    owned = {o.gpu_id: o for o in offers if o.market == "owned"}
    for gpu, usd in by_hand.items():
        assert owned[gpu].usd_per_gpu_hour == pytest.approx(usd, abs=1e-4), gpu
        assert owned[gpu].commitment_months == 48
    assert owned["b200"].usd_per_gpu_hour == pytest.approx(1.5351, abs=1e-4)
    assert owned_usd_per_gpu_hour(
        purchase_usd=2_500,
        life_years=4,
        power_kw=0.072,
        pue=1.58,
        usd_per_kwh=0.0895,
        colocation_usd_per_kw_month=184.06,
    ) == pytest.approx(0.0997, abs=1e-4)


def test_owned_is_below_every_rented_price_of_its_gpu(offers):
    # The owned rows leave out the host server, networking and staff: a lower bound. One above a
    # rental of the same GPU would mean a wrong input (a server price, watts read as kW, ...).
    owned = {o.gpu_id: o.usd_per_gpu_hour for o in offers if o.market == "owned"}
    for o in offers:
        if o.market != "owned" and o.gpu_id in owned:
            assert owned[o.gpu_id] < o.usd_per_gpu_hour, f"{o.gpu_id} owned vs {o.market}"


def _readme_rows_table() -> dict[str, list[str]]:
    text = (DATA / "README_gpu_markets.md").read_text(encoding="utf-8")
    head = text.index("## The rows today")
    block = text[head : text.index("\n\n", text.index("| GPU |", head))]
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in KNOWN:
            rows[cells[0]] = cells[1:6]
    return rows


def test_readme_rows_table_matches_the_offers(offers):
    markets = ("hyperscaler_on_demand", "specialist_on_demand", "commit_1y", "commit_3y", "owned")
    table = _readme_rows_table()
    assert set(table) == {o.gpu_id for o in offers}
    have = {(o.gpu_id, o.market): o.usd_per_gpu_hour for o in offers}
    for gpu, cells in table.items():
        for market, cell in zip(markets, cells, strict=True):
            if cell == "—":
                assert (gpu, market) not in have, f"README says no {market} row for {gpu}"
            else:
                number = re.match(r"[0-9.]+", cell)
                assert number, (gpu, market, cell)
                assert have.get((gpu, market)) == pytest.approx(float(number.group()), abs=1e-4), (gpu, market)
