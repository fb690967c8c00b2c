"""Catalogs: models, GPUs, RAG inputs and engine defaults, read from ``data/``.

Every figure in a catalog carries a ``source`` and an ``as_of`` date. Rows are
validated into frozen pydantic models; a bad cell is a one-line
:class:`~llmstrategy.errors.CatalogError` naming the file, the row and the field.
Prices are USD per 1M tokens (``*_usd_per_mtok``) and USD per GPU-hour.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmstrategy.errors import CatalogError, UnknownIdError
from llmstrategy.inputs.benchmarks import ApiLatency, load_latency, load_scores
from llmstrategy.inputs.checks import check_catalog
from llmstrategy.inputs.dedicated_endpoints import DedicatedEndpointPrice, load_dedicated_endpoints
from llmstrategy.inputs.defaults import Sourced, load_defaults
from llmstrategy.inputs.finetune_offers import FineTuneOffer, load_offers
from llmstrategy.inputs.gpu_offers import load_offers as load_gpu_offers
from llmstrategy.inputs.ids import lookup as _lookup
from llmstrategy.inputs.ids import nearest_ids as nearest_ids
from llmstrategy.inputs.load_shape import LoadShape, load_load_shape
from llmstrategy.inputs.managed_endpoints import ManagedEndpointOffer, load_managed_endpoints
from llmstrategy.inputs.price_history import catalog_as_of
from llmstrategy.inputs.provisioned import ProvisionedOffer, load_provisioned

DATA_DIR_ENV = "LLMSTRATEGY_DATA_DIR"


def default_data_dir() -> Path:
    """``$LLMSTRATEGY_DATA_DIR`` if set, else the repository's ``data/`` folder."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip() == "":
            return None
        return v


class ModelSpec(_Row):
    """One model: prices [USD per 1M tokens], limits [tokens], quality, architecture."""

    id: str = Field(min_length=1)
    name: str
    provider: str
    open_weight: bool
    reasoning_by_default: bool = False  # emits hidden reasoning tokens unless told not to
    litellm_id: str | None = None
    context_window_tokens: int = Field(gt=0)  # what the priced provider accepts (a host's cap, for a hosted open model)
    max_output_tokens: int | None = Field(None, gt=0)
    weights_context_window_tokens: int | None = Field(None, gt=0)  # the open weights' own window; blank: the same
    input_usd_per_mtok: float | None = Field(None, ge=0)
    output_usd_per_mtok: float | None = Field(None, ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    batch_input_usd_per_mtok: float | None = Field(None, ge=0)
    batch_output_usd_per_mtok: float | None = Field(None, ge=0)
    long_context_threshold_tokens: int | None = Field(None, gt=0)
    long_input_usd_per_mtok: float | None = Field(None, ge=0)
    long_output_usd_per_mtok: float | None = Field(None, ge=0)
    finetune_training_usd_per_mtok: float | None = Field(None, ge=0)
    finetuned_input_usd_per_mtok: float | None = Field(None, ge=0)
    finetuned_output_usd_per_mtok: float | None = Field(None, ge=0)
    quality_score: float | None = Field(None, ge=0, le=100)  # MMLU-Pro accuracy [%]
    quality_source: str | None = None
    deprecation_date: date | None = None
    total_params_b: float | None = Field(None, gt=0)
    active_params_b: float | None = Field(None, gt=0)
    layers: int | None = Field(None, gt=0)
    kv_heads: int | None = Field(None, gt=0)
    head_dim: int | None = Field(None, gt=0)
    hidden_size: int | None = Field(None, gt=0)
    # parameters outside the routed experts (attention, shared/dense MLPs, router, embeddings)
    # [billions]: what attention data parallelism copies onto every GPU; with its source
    non_expert_params_b: float | None = Field(None, gt=0)
    non_expert_params_source: str | None = None
    vocab_size: int | None = Field(None, gt=0)  # tokenizer vocabulary (config.json): the BF16 embedding and LM head
    local_attention_window_tokens: int | None = Field(None, gt=0)  # sliding window / chunk (config.json)
    local_attention_layers: int | None = Field(None, gt=0)  # layers that use it; blank: every layer global
    source: str = Field(min_length=1)
    as_of: date

    @property
    def self_host_window_tokens(self) -> int:
        """The window when you serve the weights yourself [tokens]: the model's own, not a host's cap."""
        return self.weights_context_window_tokens or self.context_window_tokens

    @property
    def has_api_price(self) -> bool:
        """True when the model can be called through a hosted API at a known price."""
        return self.input_usd_per_mtok is not None and self.output_usd_per_mtok is not None

    @property
    def can_self_host(self) -> bool:
        """True for open-weight models whose architecture is known (needed for sizing)."""
        return self.open_weight and None not in (self.total_params_b, self.layers, self.kv_heads, self.head_dim)


class GpuSpec(_Row):
    """One GPU: memory [GB], bandwidth [TB/s], dense peak [TFLOP/s], price [USD/GPU-hour]."""

    id: str = Field(min_length=1)
    name: str
    vendor: str
    memory_gb: float = Field(gt=0)  # the listed (marketing) figure
    driver_memory_mib: int | None = Field(None, gt=0)  # total the driver reports (nvidia-smi / rocm-smi)
    driver_memory_source: str | None = None
    memory_bandwidth_tb_s: float = Field(gt=0)
    bf16_dense_tflops: float = Field(gt=0)
    fp8_dense_tflops: float | None = Field(None, gt=0)
    int4_supported: bool = True
    nvlink_gb_s: float | None = Field(None, gt=0)  # GPU-to-GPU link, both directions (PCIe if none)
    # measured share of datasheet bandwidth / peak that serving kernels reach on this GPU's
    # usual software stack (blank: the self_host defaults); source in efficiency_source
    memory_bandwidth_efficiency: float | None = Field(None, gt=0, le=1)
    compute_efficiency: float | None = Field(None, gt=0, le=1)
    efficiency_source: str | None = None
    max_gpus_per_node: int = Field(8, ge=1, le=64)
    on_demand_usd_per_gpu_hour: float = Field(gt=0)
    reserved_usd_per_gpu_hour: float | None = Field(None, gt=0)
    price_source: str
    source: str = Field(min_length=1)
    as_of: date


@dataclass(frozen=True)
class Catalog:
    """Everything the engine reads from ``data/``: immutable once loaded."""

    models: Mapping[str, ModelSpec]
    gpus: Mapping[str, GpuSpec]
    defaults: Mapping[str, Sourced]
    data_dir: Path
    files: Mapping[str, Path] = field(default_factory=dict)
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # model → benchmark → %
    api_latency: Mapping[str, ApiLatency] = field(default_factory=dict)  # model → measured TTFT and speed
    finetune_offers: tuple[FineTuneOffer, ...] = ()  # providers' fine-tuning offers (data/finetune_offers.csv)
    dedicated: tuple[DedicatedEndpointPrice, ...] = ()  # providers' dedicated GPUs (data/dedicated_endpoints.csv)
    gpu_offers: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (gpu, market) → USD/GPU-hour
    provisioned: tuple[ProvisionedOffer, ...] = ()  # private deployments' capacity offers
    managed_endpoints: tuple[ManagedEndpointOffer, ...] = ()  # open models' instances in your cloud account
    load_shape: LoadShape | None = None  # hourly load of measured services (spill-over above a reservation)
    price_multipliers: tuple[float, float] = (1.0, 1.0)  # (API, GPU) what-if applied to the list prices
    on_date: date | None = None  # the date the models and prices are as of (None: models.csv as it is)
    unavailable: Mapping[str, date] = field(default_factory=dict)  # model → first priced, after on_date

    def model(self, model_id: str, *, field: str = "model", path: str | None = None) -> ModelSpec:
        """Look a model up; an unknown id raises with the nearest ids, and a model not yet
        available on the catalog's date says so."""
        if model_id in self.unavailable and self.on_date is not None:
            raise UnknownIdError(
                f"model '{model_id}' was not available on {self.on_date.isoformat()} (first priced "
                f"{self.unavailable[model_id].isoformat()}, data/price_history.csv)",
                path=path or str(self.files.get("models")),
                field=field,
            )
        return _lookup(self.models, model_id, "model", field, path, self.files.get("models"))

    def gpu(self, gpu_id: str, *, field: str = "gpu", path: str | None = None) -> GpuSpec:
        """Look a GPU up; an unknown id raises with the nearest ids."""
        return _lookup(self.gpus, gpu_id, "GPU", field, path, self.files.get("gpus"))

    def value(self, key: str) -> Any:
        """A default's value by dotted key (``"rag.embedding.usd_per_mtok"``)."""
        try:
            return self.defaults[key].value
        except KeyError:
            raise CatalogError(f"missing default '{key}'", path=str(self.data_dir), field=key) from None

    def with_price_multipliers(self, *, api: float = 1.0, gpu: float = 1.0) -> Catalog:
        """The same catalog with every API inference price (per-token, cached, batch,
        long-context, fine-tuned model) × ``api`` and every GPU-hour price (``gpus.csv``, market offers)
        × ``gpu``: a what-if,
        e.g. for the cost-curves widgets. Providers' training prices are held, as in the Monte Carlo."""
        if not (api > 0 and gpu > 0):
            raise CatalogError(f"price multipliers must be positive, got api={api!r}, gpu={gpu!r}")
        fields = [f for f in ModelSpec.model_fields if f.endswith("_usd_per_mtok") and not f.startswith("finetune_")]
        models = {
            k: m.model_copy(update={f: getattr(m, f) * api for f in fields if getattr(m, f) is not None})
            for k, m in self.models.items()
        }
        gpus = {
            k: g.model_copy(
                update={
                    f: getattr(g, f) * gpu
                    for f in ("on_demand_usd_per_gpu_hour", "reserved_usd_per_gpu_hour")
                    if getattr(g, f) is not None
                }
            )
            for k, g in self.gpus.items()
        }
        offers = {k: usd * gpu for k, usd in self.gpu_offers.items()}
        # provisioned capacity is reserved compute: it moves with the GPU multiplier, as in the Monte Carlo
        provisioned = tuple(
            o.model_copy(update={"usd_per_unit_hour": o.usd_per_unit_hour * gpu}) if o.usd_per_unit_hour else o
            for o in self.provisioned
        )
        endpoints = tuple(
            o.model_copy(update={"usd_per_instance_hour": o.usd_per_instance_hour * gpu})
            for o in self.managed_endpoints
        )
        dedicated = tuple(d.model_copy(update={"usd_per_gpu_hour": d.usd_per_gpu_hour * gpu}) for d in self.dedicated)
        was_api, was_gpu = self.price_multipliers
        return replace(
            self,
            models=models,
            gpus=gpus,
            gpu_offers=offers,
            provisioned=provisioned,
            managed_endpoints=endpoints,
            dedicated=dedicated,
            price_multipliers=(was_api * api, was_gpu * gpu),
        )

    def sources_table(self) -> list[dict[str, Any]]:
        """Every default with its unit, source and date, for the report's assumptions."""
        return [
            {"key": s.key, "value": s.value, "unit": s.unit, "source": s.source, "as_of": s.as_of}
            for s in self.defaults.values()
        ]


RowT = TypeVar("RowT", bound=_Row)


def _read_csv_rows(
    path: Path,
    row_type: type[RowT],
    check: Callable[[RowT], tuple[str, str] | None] | None = None,
) -> dict[str, RowT]:
    """Rows keyed by id; ``check(row)`` may return ``(field, problem)`` for a rule that
    spans columns. Errors name the file's physical line (the row's last line, counting
    blank lines and multi-line quoted cells), the row id and the field."""
    if not path.is_file():
        raise CatalogError("catalog file not found", path=str(path))
    try:
        # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the first column
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            expected = list(row_type.model_fields)
            if reader.fieldnames is None:
                raise CatalogError(f"empty file; expected a CSV header: {','.join(expected)}", path=str(path))
            header = list(reader.fieldnames)
            missing = [c for c in expected if c not in header and row_type.model_fields[c].is_required()]
            if missing:
                raise CatalogError(
                    f"missing column(s) {', '.join(missing)}; expected header: {','.join(expected)}",
                    path=str(path),
                )
            unknown = [c for c in header if c not in expected]
            if unknown:
                raise CatalogError(
                    f"unknown column(s) {', '.join(unknown)}; expected: {','.join(expected)}",
                    path=str(path),
                )
            rows: dict[str, RowT] = {}
            for raw in reader:
                line_no = reader.line_num
                if None in raw:
                    raise CatalogError(f"line {line_no} has more cells than the header", path=str(path))
                try:
                    row = row_type.model_validate(raw)
                except ValidationError as err:
                    first = err.errors()[0]
                    fld = ".".join(str(p) for p in first["loc"])
                    rid = raw.get("id") or "?"
                    raise CatalogError(
                        f"line {line_no} (id '{rid}'): {first['msg']} (got {first.get('input')!r})",
                        path=str(path),
                        field=fld,
                    ) from None
                row_id = row.id  # type: ignore[attr-defined]
                if row_id in rows:
                    raise CatalogError(f"line {line_no}: duplicate id '{row_id}'", path=str(path), field="id")
                problem = check(row) if check is not None else None
                if problem is not None:
                    raise CatalogError(
                        f"line {line_no} (id '{row_id}'): {problem[1]}",
                        path=str(path),
                        field=problem[0],
                    )
                rows[row_id] = row
    except UnicodeDecodeError:
        raise CatalogError("not a UTF-8 CSV file", path=str(path)) from None
    except csv.Error as err:
        raise CatalogError(f"invalid CSV: {err}", path=str(path)) from None
    if not rows:
        raise CatalogError("catalog has no rows", path=str(path))
    return rows


def _row_rules(row: ModelSpec) -> tuple[str, str] | None:
    if (row.input_usd_per_mtok is None) != (row.output_usd_per_mtok is None):
        field = "input_usd_per_mtok" if row.input_usd_per_mtok is None else "output_usd_per_mtok"
        return field, "give both input and output prices or neither"
    ne, src = row.non_expert_params_b, row.non_expert_params_source
    if ne is not None and not (src and ne <= (row.total_params_b or 0)):
        return "non_expert_params_b", "give non_expert_params_source, and total_params_b at least as large"
    la, lw = row.local_attention_layers, row.local_attention_window_tokens
    if (la is None) != (lw is None) or (la or 0) > (row.layers or 0):
        return "local_attention_layers", "give it with local_attention_window_tokens, at most layers"
    return None


def load_models(path: Path) -> dict[str, ModelSpec]:
    """Read ``models.csv`` into validated :class:`ModelSpec` rows keyed by id."""
    return _read_csv_rows(Path(path), ModelSpec, _row_rules)


def load_gpus(path: Path) -> dict[str, GpuSpec]:
    """Read ``gpus.csv`` into validated :class:`GpuSpec` rows keyed by id."""
    need = ("driver_memory_mib", "give driver_memory_source (where the driver's figure was read)")
    return _read_csv_rows(
        Path(path), GpuSpec, lambda r: None if r.driver_memory_source or not r.driver_memory_mib else need
    )


CATALOG_FILES = {
    "models": "models.csv",
    "gpus": "gpus.csv",
    "rag": "rag.yaml",
    "assumptions": "assumptions.yaml",
    "quality": "quality.yaml",
    "benchmarks": "benchmarks.csv",
    "api_latency": "api_latency.csv",
    "finetune_offers": "finetune_offers.csv",
    "dedicated": "dedicated_endpoints.csv",
    "gpu_offers": "gpu_offers.csv",
    "provisioned": "provisioned_throughput.csv",
    "managed_endpoints": "managed_endpoints.csv",
    "load_shape": "load_shape.csv",
    "price_history": "price_history.csv",
}


def load_catalog(
    data_dir: str | Path | None = None, *, models_path: str | Path | None = None, on_date: date | None = None
) -> Catalog:
    """Load every catalog from ``data_dir`` (default :func:`default_data_dir`). With ``on_date``,
    the models available on that date at that date's prices (``price_history.csv``,
    :mod:`llmstrategy.inputs.price_history`); without it, ``models.csv`` as it is."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    files = {k: base / v for k, v in CATALOG_FILES.items()}
    if models_path is not None:
        files["models"] = Path(models_path)
    defaults: dict[str, Sourced] = {}
    defaults.update(load_defaults(files["assumptions"]))
    defaults.update(load_defaults(files["rag"], prefix="rag"))
    if files["quality"].is_file():
        defaults.update(load_defaults(files["quality"], prefix="quality"))
    models = load_models(files["models"])
    gpus = load_gpus(files["gpus"])
    offers = load_gpu_offers(files["gpu_offers"], gpus) if files["gpu_offers"].is_file() else ()
    catalog = Catalog(
        models=models,
        gpus=gpus,
        gpu_offers={(o.gpu_id, o.market): o.usd_per_gpu_hour for o in offers},
        defaults=defaults,
        data_dir=base,
        files=files,
        scores=load_scores(files["benchmarks"], models),
        api_latency=load_latency(files["api_latency"], models),
        finetune_offers=load_offers(files["finetune_offers"], models),
        dedicated=load_dedicated_endpoints(files["dedicated"], gpus),
        provisioned=load_provisioned(files["provisioned"], models),
        managed_endpoints=load_managed_endpoints(files["managed_endpoints"], gpus),
        load_shape=load_load_shape(files["load_shape"]),
    )
    check_catalog(catalog)
    return catalog if on_date is None else catalog_as_of(catalog, on_date)


@lru_cache(maxsize=8)
def _cached(data_dir: str, mtimes: tuple[float, ...]) -> Catalog:
    return load_catalog(data_dir)


def cached_catalog(data_dir: str | Path | None = None) -> Catalog:
    """:func:`load_catalog`, memoized until one of the files changes (for widgets)."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    mtimes = tuple((base / f).stat().st_mtime if (base / f).exists() else -1.0 for f in CATALOG_FILES.values())
    return _cached(str(base), mtimes)
