"""Published serving-engine start-up logs (``data/engine_startup_logs.csv``): what vLLM reported of
its own memory per GPU after its profiling run, the figures the runtime-memory model
(:mod:`llmstrategy.economics.runtime_memory`) is checked against.

vLLM prints "model weights take X GiB; non_torch_memory takes Y GiB; PyTorch activation peak
memory takes Z GiB" (v0) or the same figures in its memory profile (v1). One row per log: the
model, its vocabulary [tokens], the GPUs of the replica, the engine's maximum number of sequences
in the profiling run, the logged activation peak and non-torch memory [GiB = 2^30 bytes per GPU],
with its source and date. A blank ``non_torch_gib`` means no comparable figure; ``notes`` then
says why. A figure the model misses by more than the test's tolerance keeps its row, with the
reason in ``outside_tolerance_why``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.csv_rows import CsvRow, read_rows

FILE_NAME = "engine_startup_logs.csv"


class EngineStartupLog(CsvRow):
    model: str = Field(min_length=1)
    vocab_size: int = Field(ge=1, le=10_000_000)
    gpus: int = Field(ge=1, le=1_024)
    max_num_seqs: int = Field(ge=1, le=1_000_000)
    activation_gib: float = Field(gt=0, le=10_000)
    non_torch_gib: float | None = Field(None, gt=0, le=1_000)
    source: str = Field(min_length=1)
    as_of: date
    notes: str | None = None
    outside_tolerance_why: str | None = None  # why the model misses this log's non-torch figure


def _needs_a_reason(row: EngineStartupLog) -> tuple[str, str] | None:
    if row.non_torch_gib is None and not row.notes:
        return "notes", "expected a reason in notes when non_torch_gib is blank"
    return None


def load_engine_startup_logs(path: Path) -> tuple[EngineStartupLog, ...]:
    """Every log of ``path``, validated; one-line :class:`CatalogError` naming the file, the line
    and the field for a missing file, a wrong header, a bad cell or a model listed twice."""
    if not path.is_file():
        raise CatalogError("engine start-up logs file not found", path=str(path))
    rows = read_rows(path, EngineStartupLog, check=_needs_a_reason, exact_header=True)
    seen: set[str] = set()
    for row in rows:
        if row.model in seen:
            problem = f"expected each model once, '{row.model}' is listed twice"
            raise CatalogError(problem, path=str(path), field="model")
        seen.add(row.model)
    return tuple(rows)
