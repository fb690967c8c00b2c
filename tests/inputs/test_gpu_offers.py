"""GPU offers by market: the SkyPilot importer on a committed excerpt of the real catalog format,
malformed catalogs, the loader's refusals, atomic writes, the owned-cost formula, and the
committed data/gpu_offers.csv."""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA

from llmstrategy.errors import CatalogError
from llmstrategy.inputs import gpu_offers as go
from llmstrategy.inputs.gpu_offers import (
    COLUMNS,
    MARKETS,
    GpuOffer,
    load_offers,
    merge_offers,
    offers_csv,
    read_gpu_ids,
    write_offers,
)
from llmstrategy.inputs.gpu_owned import load_owned_inputs, owned_offers, owned_usd_per_gpu_hour
from llmstrategy.inputs.skypilot_import import (
    ACCELERATOR_GPU,
    SXM_ONLY,
    Quote,
    aggregate,
    import_skypilot,
    scan_skypilot,
)

FIXTURES = Path(__file__).parent / "data" / "skypilot"
GPUS = DATA / "gpus.csv"
AS_OF = date(2026, 11, 30)
KNOWN = read_gpu_ids(GPUS)


@pytest.fixture(scope="module")
def scan():
    return scan_skypilot(FIXTURES, GPUS, as_of=AS_OF, source="excerpt")


def _row(rows: list[GpuOffer], gpu: str, market: str) -> GpuOffer:
    (hit,) = [r for r in rows if r.gpu_id == gpu and r.market == market]
    return hit


def _quotes(scan, gpu: str, provider: str) -> dict[str, float]:
    best: dict[str, float] = {}
    for q in scan.quotes:
        if q.gpu_id == gpu and q.provider == provider:
            best[q.region] = min(best.get(q.region, q.usd_per_gpu_hour), q.usd_per_gpu_hour)
    return best


# --- the importer on the excerpt -------------------------------------------------------------


def test_one_8x_h100_instance_is_divided_by_eight(scan):
    # p5.48xlarge in us-east-2: 8x H100 SXM at $55.04 an instance-hour -> $6.88 per GPU-hour
    (q,) = [q for q in scan.quotes if q.instance_type == "p5.48xlarge" and q.region == "us-east-2"]
    assert q.gpu_id == "h100-sxm" and q.market == "hyperscaler_on_demand"
    assert q.usd_per_gpu_hour == pytest.approx(55.04 / 8) == pytest.approx(6.88)


def test_hyperscaler_h100_is_the_median_of_cloud_medians(scan):
    # AWS per region (cheapest instance): us-east-1 6.88 (p5.48xlarge/8 = p5.4xlarge), us-east-2 6.88,
    # eu-north-1 58.8928/8 = 7.3616, ap-northeast-1 68.8/8 = 8.6 -> median (6.88 + 7.3616) / 2 = 7.1208
    aws = _quotes(scan, "h100-sxm", "aws")
    assert aws == pytest.approx({"us-east-1": 6.88, "us-east-2": 6.88, "eu-north-1": 7.3616, "ap-northeast-1": 8.6})
    # Azure ND H100 v5: 8 GPUs (the catalog says 12): 98.32 / 8 in eastus and eastus2, 127.816 / 8 in westus
    assert _quotes(scan, "h100-sxm", "azure") == pytest.approx({"eastus": 12.29, "eastus2": 12.29, "westus": 15.977})
    # OCI BM.GPU.H100.8: 80 / 8 in every region
    assert _quotes(scan, "h100-sxm", "oci") == pytest.approx({"eu-amsterdam-1": 10.0, "ca-toronto-1": 10.0})
    # GCP: SkyPilot's H100 accelerator price is not used (33.60609 per 8 GPUs in us-central1 is the
    # DWS flex-start SKU, 4.200761 per GPU); without a Billing Catalog snapshot GCP has no H100 quote
    assert _quotes(scan, "h100-sxm", "gcp") == {}
    row = _row(scan.rows, "h100-sxm", "hyperscaler_on_demand")
    assert row.usd_per_gpu_hour == pytest.approx(10.0)  # median of 7.1208, 12.29, 10.0
    assert row.provider == "aws;azure;oci" and row.commitment_months == 0
    assert "aws 4 regions" in row.region and "azure 3 regions" in row.region
    assert row.source.startswith("excerpt") and row.as_of == AS_OF


def test_gcp_flex_prone_accelerators_are_skipped_and_counted(scan):
    # B200 x1, H100 x5, H200 x1 accelerator rows of the GCP excerpt; L4 stays
    assert scan.skipped["GCP accelerator priced from a SKU that may be flex-start or calendar mode"] == 7
    assert not [q for q in scan.quotes if q.provider == "gcp" and q.gpu_id in {"h100-sxm", "h200", "b200"}]
    assert _quotes(scan, "l4", "gcp")


def test_the_gcp_billing_snapshot_gives_gcp_on_demand_and_replaces_skypilots_gcp_quotes():
    billing = FIXTURES.parent / "gcp_billing" / "pricing.yml"
    result = scan_skypilot([FIXTURES, billing], GPUS, as_of=AS_OF, source="excerpt")
    gcp = _quotes(result, "h100-sxm", "gcp")  # the whole a3-highgpu-8g VM (with its 6 TB local SSD) / 8
    assert gcp == pytest.approx(
        {"us-central1": 88.49 / 8, "us-east4": 88.5557561512329 / 8, "europe-west4": 112.540479175233 / 8}
    )
    assert _quotes(result, "a100-80gb", "gcp") == pytest.approx(
        {"us-central1": 10.1375957808219 / 2, "us-east4": 11.4154649589041 / 2, "europe-west4": 11.1618369589041 / 2}
    )
    # L4: the snapshot's g2-standard-4 replaces SkyPilot's accelerator + host quotes (no mixing)
    l4 = [q for q in result.quotes if q.provider == "gcp" and q.gpu_id == "l4"]
    assert {q.instance_type for q in l4} == {"g2-standard-4"} and len(l4) == 3
    assert _quotes(result, "l4", "gcp")["us-central1"] == pytest.approx(0.706832255)
    row = _row(result.rows, "h100-sxm", "hyperscaler_on_demand")
    # medians: aws 7.1208, oci 10.0, gcp 88.5557561512329 / 8 = 11.06947, azure 12.29
    assert row.usd_per_gpu_hour == pytest.approx(round((10.0 + 88.5557561512329 / 8) / 2, 4))
    assert row.provider == "aws;azure;gcp;oci" and "gcp 3 regions" in row.region


def test_a_bad_billing_snapshot_is_a_one_line_error(tmp_path):
    bad = tmp_path / "pricing.yml"
    bad.write_text("compute:\n  instance:\n    a3-highgpu-8g:\n      cost:\n        us-central1:\n          hour: -3\n")
    with pytest.raises(CatalogError) as err:
        scan_skypilot([bad], GPUS, as_of=AS_OF)
    assert str(bad) in str(err.value) and "compute.instance.a3-highgpu-8g.cost.us-central1.hour" in str(err.value)
    bad.write_text("just: [a list\n")
    with pytest.raises(CatalogError, match="not a readable YAML file"):
        scan_skypilot([bad], GPUS, as_of=AS_OF)
    bad.write_text("about: {}\n")
    with pytest.raises(CatalogError, match=r"no compute\.instance"):
        scan_skypilot([bad], GPUS, as_of=AS_OF)


def test_azure_pcie_parts_are_not_the_sxm_gpu(scan):
    # NC A100 v4 (A100 80GB PCIe) and NC H100 v5 (H100 NVL) are skipped; ND A100 v4 (SXM) is kept
    azure = [q for q in scan.quotes if q.provider == "azure"]
    assert azure and not [q for q in azure if q.instance_type.startswith("Standard_NC")]
    assert _quotes(scan, "a100-80gb", "azure") == pytest.approx(
        {"eastus": 4.09625, "eastus2": 4.09625, "southcentralus": 4.9155}
    )


def test_specialist_h100_excludes_the_pcie_variant(scan):
    lam = [q for q in scan.quotes if q.provider == "lambda" and q.gpu_id == "h100-sxm"]
    assert lam and all("pcie" not in q.instance_type for q in lam)
    assert _quotes(scan, "h100-sxm", "lambda")["us-east-1"] == pytest.approx(31.92 / 8)  # 3.99 < 4.29 (1x)
    row = _row(scan.rows, "h100-sxm", "specialist_on_demand")
    assert row.usd_per_gpu_hour == pytest.approx(3.29)  # lambda 3.99, nebius 2.95, runpod 3.29: the middle one
    # 3 Lambda, 3 Azure NC rows, RunPod's 48 A100 PCIe rows (its name A100-80GB, GpuInfo 'A100 PCIe')
    assert scan.skipped["PCIe variant of an SXM GPU"] == 6 + 48


def test_runpods_h200_sxm_is_the_h200(tmp_path):
    # RunPod names its H200 'H200-SXM' (GpuInfo 'H200 SXM'); gpus.csv's h200 is that SXM module
    assert ACCELERATOR_GPU["H200-SXM"] == "h200" and "h200" in SXM_ONLY
    row = (
        "1x_H200-SXM_SECURE,H200-SXM,1.0,12.0,188.0,US,4.59,4.59,US-WA-1,"
        "\"{'Gpus': [{'Name': 'H200 SXM', 'Manufacturer': 'Nvidia', 'Count': 1, "
        "'MemoryInfo': {'SizeInMiB': 141}}], 'TotalGpuMemoryInMiB': 141}\""
    )
    runpod = tmp_path / "runpod" / "vms.csv"
    runpod.parent.mkdir()
    header = (
        "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Region,SpotPrice,Price,AvailabilityZone,GpuInfo"
    )
    runpod.write_text(f"{header}\n{row}\n{row.replace('H200 SXM', 'H200 PCIe')}\n")
    result = scan_skypilot([runpod], GPUS, as_of=AS_OF)
    (got,) = result.rows
    assert (got.gpu_id, got.market, got.usd_per_gpu_hour) == ("h200", "specialist_on_demand", 4.59)
    assert result.skipped == {"PCIe variant of an SXM GPU": 1}  # a PCIe H200 would not be the SXM row
    # names RunPod uses for other parts stay unmapped: H100 NVL (94 GB, PCIe card), B300 (not in gpus.csv)
    assert "H100-NVL" not in ACCELERATOR_GPU and "B300" not in ACCELERATOR_GPU


def test_cheapest_instance_per_region_and_gcp_hosts(scan):
    # L4 on AWS: g6.xlarge (0.8048) beats g6.24xlarge/4 (1.6688); fractional g6f rows are skipped
    assert _quotes(scan, "l4", "aws") == pytest.approx(
        {"us-east-1": 0.8048, "eu-central-1": 1.0064, "ap-northeast-1": 1.1672}
    )
    assert scan.skipped["fraction of a GPU (AcceleratorCount below 1 or not whole)"] == 2
    # L4 on GCP: the cheapest g2 host of the zone (g2-standard-4) is added
    assert _quotes(scan, "l4", "gcp") == pytest.approx(
        {"us-central1": 0.56004 + 0.14679, "europe-west4": 0.58804 + 0.15429}
    )
    row = _row(scan.rows, "l4", "hyperscaler_on_demand")
    assert row.usd_per_gpu_hour == pytest.approx(round((1.0064 + (0.70683 + 0.74233) / 2) / 2, 4))
    # GCP B200 and H200 accelerator prices are not used (flex-start or calendar-mode SKUs)
    assert _quotes(scan, "b200", "gcp") == {} and _quotes(scan, "h200", "gcp") == {}


def test_rows_without_price_and_unknown_accelerators_are_skipped(scan):
    # g6e.xlarge ap-northeast-3 and p5e.48xlarge have no on-demand price (capacity blocks only)
    assert scan.skipped["no on-demand price"] == 2
    assert "ap-northeast-3" not in _quotes(scan, "l40s", "aws")
    assert not [q for q in scan.quotes if q.gpu_id == "h200" and q.provider == "aws" and q.region == "us-east-2"]
    # A100 40GB, A10, GH200, TPUs are not in gpus.csv
    assert {q.gpu_id for q in scan.quotes} <= KNOWN
    assert scan.skipped["accelerator not in gpus.csv, or cloud in no market"] > 0
    assert {r.market for r in scan.rows} == {"hyperscaler_on_demand", "specialist_on_demand"}


def test_list_of_files_and_pooled_statistic():
    files = [FIXTURES / "aws" / "vms.csv", FIXTURES / "gcp" / "vms.csv"]
    rows = import_skypilot(files, GPUS, as_of=AS_OF, statistic="pooled_median")
    l4 = _row(rows, "l4", "hyperscaler_on_demand")
    # pooled: aws 0.8048, 1.0064, 1.1672; gcp 0.70683, 0.74233 -> 0.8048
    assert l4.usd_per_gpu_hour == pytest.approx(0.8048)
    h100 = _row(rows, "h100-sxm", "hyperscaler_on_demand")  # AWS only: 6.88, 6.88, 7.3616, 8.6
    assert h100.usd_per_gpu_hour == pytest.approx((6.88 + 7.3616) / 2)
    assert "pooled" in h100.source
    with pytest.raises(CatalogError, match="unknown statistic"):
        import_skypilot(files, GPUS, as_of=AS_OF, statistic="mean")


def test_cloud_in_no_market_is_skipped(tmp_path):
    # a marketplace (vast) is in no market: its file is counted as skipped, not priced
    vast = tmp_path / "vast" / "vms.csv"
    vast.parent.mkdir()
    vast.write_text("InstanceType,AcceleratorName,AcceleratorCount,Price,Region\nx,H100,1,1.0,US\n")
    result = scan_skypilot([vast], GPUS, as_of=AS_OF)
    assert result.rows == [] and result.skipped["cloud 'vast' is in no market"] == 1


def test_aggregate_ties_and_single_region():
    q = [
        Quote("l4", "hyperscaler_on_demand", "aws", "r1", "b", 1.0),
        Quote("l4", "hyperscaler_on_demand", "aws", "r1", "a", 1.0),
        Quote("l4", "hyperscaler_on_demand", "aws", "r2", "a", 3.0),
    ]
    (row,) = aggregate(q, as_of=AS_OF, source="s", statistic="provider_median")
    assert row.usd_per_gpu_hour == 2.0 and row.instance_type == "a"


# --- malformed catalogs: one line naming file, line and column; the target unchanged -----------


@pytest.mark.parametrize(
    ("case", "line", "column"),
    [
        ("bad_price", 3, "Price"),
        ("negative_count", 3, "AcceleratorCount"),
        ("infinite_price", 2, "Price"),
        ("ragged_row", 3, None),
        ("no_price_column", None, None),
    ],
)
def test_malformed_rows_are_one_line_errors_and_leave_the_target_unchanged(tmp_path, case, line, column):
    target = tmp_path / "gpu_offers.csv"
    target.write_bytes((DATA / "gpu_offers.csv").read_bytes())
    before = target.read_bytes()
    path = FIXTURES / "malformed" / case / "aws" / "vms.csv"
    with pytest.raises(CatalogError) as err:
        rows = import_skypilot(FIXTURES / "malformed" / case, GPUS, as_of=AS_OF)
        write_offers(target, merge_offers(load_offers(target, KNOWN), rows, replace_markets=go.ON_DEMAND_MARKETS))
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    if line is not None:
        assert f"line {line}:" in msg
    if column is not None:
        assert f"field '{column}'" in msg
    assert target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_rename_leaves_the_file_unchanged(tmp_path, monkeypatch):
    target = tmp_path / "gpu_offers.csv"
    rows = list(load_offers(DATA / "gpu_offers.csv", KNOWN))
    write_offers(target, rows)
    before = target.read_bytes()

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    changed = [r.model_copy(update={"usd_per_gpu_hour": r.usd_per_gpu_hour + 1}) for r in rows]
    with pytest.raises(CatalogError, match="cannot write"):
        write_offers(target, changed)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["gpu_offers.csv"]


def test_write_refuses_duplicates_and_unknown_gpus_before_touching_the_file(tmp_path):
    target = tmp_path / "gpu_offers.csv"
    rows = list(load_offers(DATA / "gpu_offers.csv", KNOWN))
    write_offers(target, rows)
    before = target.read_bytes()
    with pytest.raises(CatalogError, match="a second offer"):
        write_offers(target, [*rows, rows[0]])
    with pytest.raises(CatalogError, match="unknown GPU id 'tpu-v9'"):
        write_offers(target, [rows[0].model_copy(update={"gpu_id": "tpu-v9"})], known_gpus=KNOWN)
    assert target.read_bytes() == before


def test_write_round_trips_and_is_byte_stable(tmp_path):
    rows = list(load_offers(DATA / "gpu_offers.csv", KNOWN))
    target = tmp_path / "o.csv"
    assert write_offers(target, rows) is True
    assert write_offers(target, list(reversed(rows))) is False  # same bytes: not rewritten
    assert load_offers(target, KNOWN) == tuple(rows)
    assert target.read_text(encoding="utf-8") == offers_csv(rows)


def test_merge_keeps_the_markets_not_refreshed():
    rows = list(load_offers(DATA / "gpu_offers.csv", KNOWN))
    owned = [r for r in rows if r.market == "owned"]
    kept = [r for r in rows if r.market not in go.ON_DEMAND_MARKETS]
    merged = merge_offers(rows, [], replace_markets=go.ON_DEMAND_MARKETS)
    assert merged == kept and {r.market for r in kept} >= {"owned", "commit_1y", "commit_3y"}
    with pytest.raises(CatalogError, match="not being replaced"):
        merge_offers([], owned, replace_markets=go.ON_DEMAND_MARKETS)


# --- the loader ----------------------------------------------------------------------------


HEADER = ",".join(COLUMNS)
GOOD = "h100-sxm,specialist_on_demand,2.99,0,lambda,gpu_8x_h100_sxm5,us-east-1,test source,2026-11-30"


def _write(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "offers.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_loader_reads_a_good_row(tmp_path):
    (offer,) = load_offers(_write(tmp_path, HEADER, GOOD), KNOWN)
    assert offer.usd_per_gpu_hour == 2.99 and offer.as_of == AS_OF


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        (GOOD.replace("h100-sxm", "h100-pcie"), "gpu_id", "unknown GPU id 'h100-pcie'"),
        (GOOD.replace("specialist_on_demand", "spot"), "market", "unknown market 'spot'"),
        (GOOD.replace("test source", ""), "source", ""),
        (GOOD.replace("2026-11-30", ""), "as_of", ""),
        (GOOD.replace("2026-11-30", "30/11/2026"), "as_of", ""),
        (GOOD.replace(",2.99,", ",-1,"), "usd_per_gpu_hour", "greater than 0"),
        (GOOD.replace(",2.99,", ",nan,"), "usd_per_gpu_hour", ""),
        (GOOD.replace(",0,lambda", ",12,lambda"), None, "commitment_months must be 0"),
        (GOOD.replace("test source", "=HYPERLINK(1)"), "source", "formula"),
    ],
)
def test_loader_refuses_bad_rows(tmp_path, row, field, fragment):
    path = _write(tmp_path, HEADER, GOOD.replace("h100-sxm", "h200"), row)
    with pytest.raises(CatalogError) as err:
        load_offers(path, KNOWN)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and "line 3:" in msg and fragment in msg
    if field:
        assert f"field '{field}'" in msg


def test_loader_refuses_duplicates_wrong_header_and_missing_file(tmp_path):
    with pytest.raises(CatalogError, match=r"line 3: a second offer for h100-sxm in specialist_on_demand"):
        load_offers(_write(tmp_path, HEADER, GOOD, GOOD), KNOWN)
    with pytest.raises(CatalogError, match="expected the columns"):
        load_offers(_write(tmp_path, HEADER.replace("as_of", "date"), GOOD), KNOWN)
    with pytest.raises(CatalogError, match="has not 9 cells"):
        load_offers(_write(tmp_path, HEADER, GOOD + ",extra"), KNOWN)
    with pytest.raises(CatalogError, match="file not found"):
        load_offers(tmp_path / "none.csv", KNOWN)


def test_owned_requires_a_life_and_commit_markets_their_term(tmp_path):
    owned = GOOD.replace("specialist_on_demand,2.99,0", "owned,1.5,0")
    with pytest.raises(CatalogError, match="amortisation life"):
        load_offers(_write(tmp_path, HEADER, owned), KNOWN)
    c3 = GOOD.replace("specialist_on_demand,2.99,0", "commit_3y,2.0,36")
    assert load_offers(_write(tmp_path, HEADER, c3), KNOWN)[0].commitment_months == 36


# --- owned cost and the committed data ------------------------------------------------------


def test_owned_formula_by_hand():
    # $30,000 over 4 years, 0.7 kW at PUE 1.58 and $0.0895/kWh, colocation $184.06/kW-month
    got = owned_usd_per_gpu_hour(
        purchase_usd=30000, life_years=4, power_kw=0.7, pue=1.58, usd_per_kwh=0.0895, colocation_usd_per_kw_month=184.06
    )
    capex = 30000 / 35040  # 0.85616
    energy = 0.7 * 1.58 * 0.0895  # 0.09899
    colo = 0.7 * 184.06 / 730  # 0.17650
    assert got == pytest.approx(capex + energy + colo) == pytest.approx(1.13164, abs=1e-5)


def test_committed_offers_load_with_source_and_date():
    rows = load_offers(DATA / "gpu_offers.csv", KNOWN)
    assert rows, "data/gpu_offers.csv is empty"
    for r in rows:
        assert r.source.strip() and isinstance(r.as_of, date) and r.as_of <= date.today()
        assert r.market in MARKETS and r.gpu_id in KNOWN
    with (DATA / "gpu_offers.csv").open(newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    assert all(row["source"].strip() and row["as_of"].strip() for row in raw)
    assert {r.market for r in rows} >= {"hyperscaler_on_demand", "specialist_on_demand", "owned"}


def test_committed_owned_rows_follow_their_inputs():
    inputs = load_owned_inputs(DATA / "gpu_owned_inputs.csv", KNOWN)
    rows = {r.gpu_id: r for r in load_offers(DATA / "gpu_offers.csv", KNOWN) if r.market == "owned"}
    assert set(rows) == {i.gpu_id for i in inputs}
    for expected in owned_offers(DATA / "gpu_owned_inputs.csv", KNOWN):
        assert rows[expected.gpu_id] == expected
