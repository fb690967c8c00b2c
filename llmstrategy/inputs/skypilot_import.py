"""Import on-demand GPU offers from the SkyPilot catalog (repository ``skypilot-org/skypilot-catalog``,
``catalogs/v<N>/<cloud>/vms.csv``) and, for GCP, from a Billing Catalog snapshot (``pricing.yml`` of
github.com/Cyclenerd/google-cloud-pricing-cost-calculator). ``data/README_gpu_markets.md`` explains why.

The catalog's columns are read by name: ``InstanceType``, ``AcceleratorName``, ``AcceleratorCount``,
``Price`` (on-demand USD per instance-hour), ``Region`` and, where present, ``AvailabilityZone`` and
``GpuInfo``. The cloud is the name of the file's folder, and it decides the market
(``PROVIDER_MARKET``; marketplaces and aggregators are left out).

How a price is formed:

1. each row's price per GPU-hour is ``Price / AcceleratorCount`` (``INSTANCE_GPUS`` corrects a
   wrong count). On GCP an accelerator row (no ``InstanceType``) prices the GPUs alone; the host VM
   (``GCP_HOSTS``) is added, the cheapest one in the same zone. GCP accelerators in
   ``GCP_FLEX_PRONE`` are skipped: SkyPilot may have priced them from a flex-start (DWS) or
   calendar-mode SKU. A ``pricing.yml`` gives GCP's on-demand VM price (``hour``) of the machine
   types in ``GCP_BILLING_MACHINES`` and replaces SkyPilot's GCP quotes of those GPUs;
2. per cloud and region, the cheapest instance type;
3. per cloud, the median over its regions;
4. per GPU and market, the median over the clouds (``statistic="provider_median"``), or over
   every (cloud, region) pooled (``statistic="pooled_median"``).

Skipped, and counted in :class:`ImportResult`: rows without an on-demand price, a fraction of a GPU,
a PCIe (or NVL) variant of a GPU listed as SXM, accelerators not in ``gpus.csv``, clouds in no
market. A malformed row is a one-line :class:`CatalogError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from llmstrategy.errors import CatalogError
from llmstrategy.files import LockTimeoutError, locked
from llmstrategy.inputs.catalog_write import refuse_read_only
from llmstrategy.inputs.gpu_offers import (
    ON_DEMAND_MARKETS,
    STATISTICS,
    GpuOffer,
    Quote,
    aggregate,
    load_offers,
    merge_offers,
    read_gpu_ids,
    write_offers,
)
from llmstrategy.inputs.gpu_owned import owned_offers

PROVIDER_MARKET: dict[str, str] = {
    **dict.fromkeys(("aws", "gcp", "azure", "oci"), "hyperscaler_on_demand"),
    **dict.fromkeys(
        ("lambda", "nebius", "runpod", "fluidstack", "cudo", "paperspace", "do", "hyperstack", "verda", "coreweave"),
        "specialist_on_demand",
    ),
}
#: SkyPilot accelerator name -> gpus.csv id
ACCELERATOR_GPU: dict[str, str] = {
    "H100": "h100-sxm",
    "H100-SXM": "h100-sxm",
    "H100-NVLINK": "h100-sxm",
    "H100-MEGA": "h100-sxm",
    "H200": "h200",
    "H200-SXM": "h200",  # RunPod's H200 (GpuInfo 'H200 SXM', 141 GB): the HGX module of gpus.csv's h200
    "A100-80GB": "a100-80gb",
    "A100-80GB-SXM": "a100-80gb",
    "B200": "b200",
    "L40S": "l40s",
    "L4": "l4",
    "A10G": "a10g",
    "MI300X": "mi300x",
}
#: gpus.csv rows that describe the SXM module: a PCIe variant of the same chip is another GPU
SXM_ONLY = frozenset({"h100-sxm", "h200", "b200", "a100-80gb"})
#: instance-type prefixes of PCIe or NVL parts (Azure NC A100 v4: A100 PCIe; NC H100 v5: H100 NVL)
PCIE_PREFIXES = ("Standard_NC",)
#: instance types whose catalog AcceleratorCount is wrong -> GPUs per VM (ND H100 v5: 8, catalog v6 says 12)
INSTANCE_GPUS: dict[str, int] = {"Standard_ND96isr_H100_v5": 8}
#: GCP accelerators SkyPilot's fetch_gcp.py may price from a "DWS Defined Duration" (flex-start) or
#: "DWS Calendar Mode" SKU (it takes the first OnDemand SKU whose description holds the GPU's name)
GCP_FLEX_PRONE = frozenset({"H100", "H100-MEGA", "H200", "B200", "A100-80GB"})
#: pricing.yml machine type -> (gpus.csv id, GPUs per VM): GCP on-demand from the Billing Catalog
GCP_BILLING_MACHINES: dict[str, tuple[str, int]] = {
    "a3-highgpu-8g": ("h100-sxm", 8),
    "a2-ultragpu-2g": ("a100-80gb", 2),
    "g2-standard-4": ("l4", 1),
}
#: GCP accelerator -> GPU count -> host VM types that carry them (SkyPilot's gcp_catalog pairing)
GCP_HOSTS: dict[str, dict[int, tuple[str, ...]]] = {
    "A100-80GB": {n: (f"a2-ultragpu-{n}g",) for n in (1, 2, 4, 8)},
    "H100": {n: (f"a3-highgpu-{n}g",) for n in (1, 2, 4, 8)},
    "H100-MEGA": {8: ("a3-megagpu-8g",)},
    "H200": {8: ("a3-ultragpu-8g",)},
    "B200": {8: ("a4-highgpu-8g",)},
    "L4": {
        1: ("g2-standard-4", "g2-standard-8", "g2-standard-12", "g2-standard-16", "g2-standard-32"),
        2: ("g2-standard-24",),
        4: ("g2-standard-48",),
        8: ("g2-standard-96",),
    },
}
__all__ = ["STATISTICS", "Quote", "aggregate", "refresh_offers", "scan_skypilot"]
REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")


@dataclass
class ImportResult:
    rows: list[GpuOffer]
    quotes: list[Quote]
    skipped: Counter[str] = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)


def _number(text: str | None, where: str, line: int, column: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        at = f"line {line}: " if line else ""
        raise CatalogError(f"{at}{text!r} is not a non-negative number", path=where, field=column)
    return value


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    where = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise CatalogError(f"not a SkyPilot vms.csv: no column {', '.join(missing)}", path=where)
            for raw in reader:
                if None in raw or None in raw.values():
                    raise CatalogError(
                        f"line {reader.line_num}: the row has not the header's {len(header)} cells", path=where
                    )
                yield reader.line_num, raw
    except FileNotFoundError:
        raise CatalogError("file not found", path=where) from None
    except UnicodeDecodeError:
        raise CatalogError("not a UTF-8 CSV file", path=where) from None
    except csv.Error as err:
        raise CatalogError(f"invalid CSV: {err}", path=where) from None


def _is_pcie(raw: dict[str, str]) -> bool:
    instance = raw.get("InstanceType", "").strip()
    return "pcie" in (instance + " " + raw.get("GpuInfo", "")).lower() or instance.startswith(PCIE_PREFIXES)


def _read_file(path: Path, provider: str, known: frozenset[str], skipped: Counter[str]) -> list[Quote]:
    where = str(path)
    market = PROVIDER_MARKET.get(provider)
    quotes: list[tuple[Quote, float]] = []
    gcp_hosts: dict[tuple[str, str, str], float] = {}
    gcp_accelerators: list[tuple[str, str, str, str, int, float]] = []
    for line, raw in _rows(path):
        price = _number(raw["Price"], where, line, "Price")
        count = _number(raw["AcceleratorCount"], where, line, "AcceleratorCount")
        name = raw["AcceleratorName"].strip()
        instance = raw["InstanceType"].strip()
        count = INSTANCE_GPUS.get(instance, count)
        region = raw["Region"].strip()
        if provider == "gcp" and instance and price is not None:
            gcp_hosts[(region, raw.get("AvailabilityZone", "").strip(), instance)] = price
        if not name:
            continue  # a CPU instance (or a GCP host VM)
        gpu = ACCELERATOR_GPU.get(name)
        if market is None or gpu is None or gpu not in known:
            skipped["accelerator not in gpus.csv, or cloud in no market"] += 1
            continue
        if not region:
            raise CatalogError(f"line {line}: no region", path=where, field="Region")
        if count is None or count < 1 or not float(count).is_integer():
            skipped["fraction of a GPU (AcceleratorCount below 1 or not whole)"] += 1
            continue
        if price is None or price == 0:
            skipped["no on-demand price"] += 1
            continue
        if gpu in SXM_ONLY and _is_pcie(raw):
            skipped["PCIe variant of an SXM GPU"] += 1
            continue
        if provider == "gcp" and not instance and name in GCP_FLEX_PRONE:
            skipped["GCP accelerator priced from a SKU that may be flex-start or calendar mode"] += 1
            continue
        if provider == "gcp" and not instance:
            gcp_accelerators.append((gpu, name, region, raw.get("AvailabilityZone", "").strip(), int(count), price))
            continue
        quotes.append((Quote(gpu, market, provider, region, instance, round(price / count, 9)), count))
    for gpu, name, region, zone, count, price in gcp_accelerators:
        hosts = [
            (gcp_hosts[(region, zone, t)], t)
            for t in GCP_HOSTS.get(name, {}).get(count, ())
            if (region, zone, t) in gcp_hosts
        ]
        if not hosts:
            skipped["GCP accelerator without its host VM in the zone"] += 1
            continue
        host_price, host = min(hosts)
        assert market is not None
        quotes.append((Quote(gpu, market, provider, region, host, round((price + host_price) / count, 9)), count))
    # a per-GPU price is rounded to 1e-9 (11.95 / 5 is not 2.39 in binary) and, of the instance types
    # of one GPU at one per-GPU price in one region, only those with the fewest GPUs are kept (RunPod
    # prices 1 to 10 GPUs alike), so the row names the smallest one, not the one float noise picked
    fewest: dict[tuple[str, str, float], float] = {}
    for q, n in quotes:
        key = (q.gpu_id, q.region, q.usd_per_gpu_hour)
        fewest[key] = min(n, fewest.get(key, n))
    return [q for q, n in quotes if n == fewest[(q.gpu_id, q.region, q.usd_per_gpu_hour)]]


def read_gcp_billing(path: Path, known: frozenset[str]) -> list[Quote]:
    """GCP on-demand quotes from a ``pricing.yml`` (``compute.instance.<machine>.cost.<region>.hour``,
    USD per VM-hour including the local SSD the machine type always has) / GPUs per VM."""
    where = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise CatalogError("file not found", path=where) from None
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise CatalogError(f"not a readable YAML file ({type(err).__name__})", path=where) from None
    instances = ((data or {}).get("compute") or {}).get("instance") if isinstance(data, dict) else None
    if not isinstance(instances, dict):
        raise CatalogError("not a pricing.yml: no compute.instance mapping", path=where)
    quotes = []
    for machine, (gpu, gpus) in GCP_BILLING_MACHINES.items():
        cost = (instances.get(machine) or {}).get("cost") or {}
        for region, prices in cost.items() if gpu in known else ():
            fld = f"compute.instance.{machine}.cost.{region}.hour"
            hour = _number(str((prices or {}).get("hour", "")), where, 0, fld)
            if hour:
                quotes.append(Quote(gpu, "hyperscaler_on_demand", "gcp", str(region), machine, hour / gpus))
    return quotes


def _files(catalog: Path | Sequence[Path]) -> list[Path]:
    """The vms.csv files: a ``catalogs/v<N>`` folder gives its ``<cloud>/vms.csv``, a cloud's
    folder its ``vms.csv``, a file itself."""
    if not isinstance(catalog, (str, Path)):
        return [f for p in catalog for f in _files(Path(p))]
    catalog = Path(catalog)
    if not catalog.exists():
        raise CatalogError("file not found", path=str(catalog))
    if catalog.is_dir():
        files = [catalog / "vms.csv"] if (catalog / "vms.csv").is_file() else sorted(catalog.glob("*/vms.csv"))
        if not files:
            raise CatalogError("no vms.csv or <cloud>/vms.csv file in this folder", path=str(catalog))
        return files
    return [catalog]


def scan_skypilot(
    catalog: Path | Sequence[Path],
    gpus_csv: Path,
    *,
    as_of: date,
    source: str | None = None,
    statistic: str = "provider_median",
) -> ImportResult:
    """The on-demand offers of the catalog files, with the quotes they come from and what was
    skipped. ``catalog`` is a folder holding ``<cloud>/vms.csv`` files (``catalogs/v9`` of a
    checkout) or a list of such files."""
    known = read_gpu_ids(gpus_csv)
    files = _files(catalog)
    skipped: Counter[str] = Counter()
    quotes: list[Quote] = []
    billing: list[Quote] = []
    for path in files:
        if path.suffix in (".yml", ".yaml"):
            billing.extend(read_gcp_billing(path, known))
            continue
        provider = path.parent.name.lower()
        if provider not in PROVIDER_MARKET:
            skipped[f"cloud {provider!r} is in no market"] += 1
            continue
        quotes.extend(_read_file(path, provider, known, skipped))
    covered = {q.gpu_id for q in billing}
    quotes = [q for q in quotes if not (q.provider == "gcp" and q.gpu_id in covered)] + billing
    label = source or "SkyPilot catalog (github.com/skypilot-org/skypilot-catalog) " + ", ".join(
        p.name if p.suffix in (".yml", ".yaml") else f"{p.parent.name}/vms.csv" for p in files
    )
    rows = aggregate(quotes, as_of=as_of, source=label, statistic=statistic)
    return ImportResult(rows=rows, quotes=quotes, skipped=skipped, files=files)


def import_skypilot(
    catalog_dir_or_csvs: Path | Sequence[Path],
    gpus_csv: Path,
    *,
    as_of: date,
    source: str | None = None,
    statistic: str = "provider_median",
) -> list[GpuOffer]:
    """The on-demand rows (``hyperscaler_on_demand``, ``specialist_on_demand``) of the catalog."""
    return scan_skypilot(catalog_dir_or_csvs, gpus_csv, as_of=as_of, source=source, statistic=statistic).rows


@dataclass
class Refresh:
    """What :func:`refresh_offers` did or, on a dry run, would do."""

    scan: ImportResult
    owned: int
    rows: list[GpuOffer]
    added: list[str]
    changed: list[str]
    removed: list[str]
    written: bool

    def summary(self) -> str:
        return (
            f"{len(self.scan.quotes)} quotes from {len(self.scan.files)} file(s) -> {len(self.scan.rows)} on-demand "
            f"rows, {self.owned} owned rows; {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed"
        )


def _diff(old: Sequence[GpuOffer], new: Sequence[GpuOffer]) -> tuple[list[str], list[str], list[str]]:
    before = {(o.gpu_id, o.market): o for o in old}
    after = {(o.gpu_id, o.market): o for o in new}
    added = [f"{g} {m} {after[(g, m)].usd_per_gpu_hour:g}" for g, m in sorted(after.keys() - before.keys())]
    removed = [f"{g} {m} {before[(g, m)].usd_per_gpu_hour:g}" for g, m in sorted(before.keys() - after.keys())]
    changed = [
        f"{g} {m} {before[(g, m)].usd_per_gpu_hour:g} -> {after[(g, m)].usd_per_gpu_hour:g}"
        for g, m in sorted(before.keys() & after.keys())
        if before[(g, m)].usd_per_gpu_hour != after[(g, m)].usd_per_gpu_hour
    ]
    return added, changed, removed


def refresh_offers(
    catalog: Sequence[Path],
    offers: Path,
    *,
    gpus_csv: Path,
    owned_inputs: Path | None,
    as_of: date,
    source: str | None = None,
    statistic: str = "provider_median",
    dry_run: bool = False,
    force: bool = False,
) -> Refresh:
    """Replace the on-demand rows of ``offers`` with the SkyPilot ``catalog``'s (folders of
    ``<cloud>/vms.csv`` or such files) and the ``owned`` rows with ``owned_inputs``'; the
    commitment rows are kept. The file is locked from its read to the rename and written
    atomically: on any error it is left as it was. Without ``force`` an import is refused when it
    would remove a (GPU, market) row or replace a row dated after ``as_of`` (an older snapshot
    over a newer one). ``dry_run`` computes everything and writes nothing."""
    known = read_gpu_ids(gpus_csv)
    scan = scan_skypilot([Path(p) for p in catalog], gpus_csv, as_of=as_of, source=source, statistic=statistic)
    if not scan.rows:
        raise CatalogError("the catalog gave no on-demand row (no known GPU in a mapped cloud): nothing imported")
    owned = owned_offers(owned_inputs, known) if owned_inputs is not None and owned_inputs.is_file() else []
    target = offers.resolve()  # written through a symbolic link
    replaced = (*ON_DEMAND_MARKETS, "owned")
    if not dry_run:
        refuse_read_only(target, offers)

    def run() -> Refresh:
        existing = list(load_offers(target, known)) if target.is_file() else []
        rows = merge_offers(existing, scan.rows + owned, replace_markets=replaced)
        added, changed, removed = _diff(existing, rows)
        newer = [f"{o.gpu_id} {o.market} ({o.as_of})" for o in existing if o.market in replaced and o.as_of > as_of]
        if not force and (removed or newer):
            what = (
                f"would remove {', '.join(removed)}"
                if removed
                else f"holds rows dated after {as_of}: {', '.join(newer)}"
            )
            raise CatalogError(
                f"the import {what}; nothing written (check the catalog files, or use --force)", path=str(offers)
            )
        written = False if dry_run else write_offers(target, rows, known_gpus=known)
        return Refresh(scan, len(owned), rows, added, changed, removed, written)

    if dry_run or not target.is_file():
        return run()
    try:
        with locked(target):
            return run()
    except LockTimeoutError as err:
        raise CatalogError(str(err), path=str(offers)) from None
