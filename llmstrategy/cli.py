"""The ``llmstrategy`` command line: gathers options, calls the library, prints.

Bad input ends in one line on stderr and exit code 2; nothing here computes. Everything
printed goes through :func:`_say`, which shows control characters (terminal escape
sequences in a profile's or a price map's text) escaped. Python warnings (numpy's name
files of the install) are not printed; an unexpected exception is one line too (exit 1;
``LLMSTRATEGY_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import warnings
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from llmstrategy.errors import LLMStrategyError
from llmstrategy.fmt import terminal_safe

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
F = TypeVar("F", bound=Callable[..., Any])


def _say(text: str, *, err: bool = False) -> None:
    """Print ``text`` with control and other unprintable characters escaped (lines kept)."""
    click.echo(terminal_safe(text), err=err)


def _one_line_errors(fn: F) -> F:
    """Turn the package's errors into one line on stderr and exit code 2, and any other
    exception into one line and exit code 1; keep warnings off the terminal."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(*args, **kwargs)
        except LLMStrategyError as err:
            _say(f"error: {err}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as err:
            if os.environ.get("LLMSTRATEGY_DEBUG") == "1":
                raise
            msg = " ".join(f"{type(err).__name__}: {err}".split())[:500]
            _say(f"error: internal error, please report it: {msg}", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


class _Finite(click.FloatRange):
    """A float in a range, never NaN or infinite (``FloatRange`` lets NaN through)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


_UNPRINTABLE = re.compile(r"[^\n\x20-\x7e]")


def _json_safe(text: str) -> str:
    """JSON text with every unprintable character inside its strings (C1 controls, bidi
    overrides, lone surrogates) written as a ``\\u`` escape: the same JSON value."""

    def esc(m: re.Match[str]) -> str:
        c = m.group(0)
        if c.isprintable():
            return c
        code = ord(c)
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return _UNPRINTABLE.sub(esc, text)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LLMStrategyError(f"expected a date YYYY-MM-DD, got {value!r}", field="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmstrategy")
def main() -> None:
    """Price, score and choose an LLM strategy for a workload profile."""


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full analysis as one JSON object.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Catalog folder (default: the repository's data/).",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Analysis date YYYY-MM-DD (default: today): the models available and the prices valid that day.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Random seed.")
@click.option(
    "--samples",
    type=click.IntRange(100, 1_000_000),
    default=2000,
    show_default=True,
    help="Monte Carlo samples (uncertainty) and weight draws (sensitivity).",
)
@click.option(
    "--evals",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Your own eval results: a CSV (model,passed,total[,latency_ms,usd_per_task]) or promptfoo's JSON.",
)
@_one_line_errors
def analyze(
    profile: Path,
    as_json: bool,
    data_dir: Path | None,
    as_of: str | None,
    seed: int,
    samples: int,
    evals: Path | None,
) -> None:
    """Analyze one PROFILE (YAML): costs, break-even, scores and a recommendation."""
    from llmstrategy.economics.analysis import analysis_to_dict
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate
    from llmstrategy.views.summary import text_summary

    p = load_profile(profile)
    if evals is not None:
        from llmstrategy.inputs.evals import load_evals

        p = p.with_updates(evals=[*p.model_dump()["evals"], *(r.model_dump() for r in load_evals(evals))])
    day = _parse_date(as_of)  # the models and prices valid that day (data/price_history.csv)
    result, _ = evaluate(p, load_catalog(data_dir, on_date=day), on_date=day, seed=seed, samples=samples)
    if as_json:
        click.echo(_json_safe(json.dumps(analysis_to_dict(result), indent=2, ensure_ascii=False, allow_nan=False)))
    else:
        _say(text_summary(result))


@main.command()
@click.argument("model")
@click.option("--gpu", required=True, help="GPU id from data/gpus.csv.")
@click.option("--precision", type=click.Choice(["bf16", "fp8", "int4"]), default="fp8", show_default=True)
@click.option(
    "--input", "input_tokens", type=click.IntRange(1, 10_000_000), required=True, help="Input tokens per request."
)
@click.option(
    "--output", "output_tokens", type=click.IntRange(0, 10_000_000), required=True, help="Output tokens per request."
)
@click.option("--latency", type=click.Choice(["interactive", "batch"]), default="interactive", show_default=True)
@click.option("--tpot-ms", type=_Finite(min=0.1), default=None, help="Time-per-output-token target (ms).")
@click.option("--ttft-ms", type=_Finite(min=1), default=None, help="Time-to-first-token target (ms).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@_one_line_errors
def size(
    model: str,
    gpu: str,
    precision: str,
    input_tokens: int,
    output_tokens: int,
    latency: str,
    tpot_ms: float | None,
    ttft_ms: float | None,
    data_dir: Path | None,
) -> None:
    """Size MODEL on a GPU: memory, batch, latency and throughput for every layout."""
    from llmstrategy.economics.sizing import SizingParams, size_all_layouts
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.views.summary import sizing_text

    cat = load_catalog(data_dir)
    m = cat.model(model, field="MODEL")
    g = cat.gpu(gpu, field="--gpu")
    results = size_all_layouts(
        m,
        g,
        precision,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        latency=latency,
        tpot_slo_ms=tpot_ms or float(cat.value("self_host.default_tpot_slo_ms")),
        ttft_slo_ms=ttft_ms or float(cat.value("self_host.default_ttft_slo_ms")),
        params=SizingParams.from_catalog(cat),
    )
    _say(sizing_text(m, g, results, usd_per_gpu_hour=g.on_demand_usd_per_gpu_hour))


@main.group()
def prices() -> None:
    """Model price catalog."""


@prices.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--catalog",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Catalog CSV to refresh (default: data/models.csv).",
)
@click.option("--add-new", is_flag=True, help="Also add the chat models the catalog lacks.")
@click.option(
    "--max-new",
    type=click.IntRange(0, 10_000_000),
    default=None,
    help="Most rows one import may add; more is refused, nothing written (default: 5000).",
)
@click.option("--as-of", "as_of", default=None, help="Date to record (default: the file's date).")
@_one_line_errors
def import_(file: Path, catalog: Path | None, add_new: bool, max_new: int | None, as_of: str | None) -> None:
    """Refresh prices, context windows and deprecation dates from LiteLLM's price map FILE.

    The catalog is locked while it is read and rewritten, written through a symbolic link,
    keeps its mode, and is not rewritten when nothing changed; a read-only catalog is refused.
    Entries priced above $1,000 per 1M tokens are rejected as implausible and named."""
    from llmstrategy.inputs.catalog import default_data_dir
    from llmstrategy.inputs.prices_import import DEFAULT_MAX_NEW, import_prices

    target = catalog or default_data_dir() / "models.csv"
    cap = DEFAULT_MAX_NEW if max_new is None else max_new
    report = import_prices(file, target, add_new=add_new, as_of=_parse_date(as_of), max_new=cap)
    _say(f"{target}: {report.summary()}")
    for ex in report.invalid_examples:
        _say(f"  skipped: {ex}")


@main.group()
def gpus() -> None:
    """GPU offers by market (data/gpu_offers.csv)."""


@gpus.command("import")
@click.argument("catalog", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--offers",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Offers CSV to refresh (default: data/gpu_offers.csv).",
)
@click.option("--as-of", "as_of", default=None, help="Date of the catalog snapshot YYYY-MM-DD (default: today).")
@click.option("--source", default=None, help="How to cite the catalog (repository, version, commit, date read).")
@click.option(
    "--statistic",
    type=click.Choice(["provider_median", "pooled_median"]),
    default="provider_median",
    show_default=True,
    help="How region and cloud prices combine into one price per GPU and market.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change, and the new CSV; write nothing.")
@click.option("--force", is_flag=True, help="Also when rows would be removed or newer rows replaced.")
@_one_line_errors
def gpus_import(
    catalog: tuple[Path, ...],
    offers: Path | None,
    as_of: str | None,
    source: str | None,
    statistic: str,
    dry_run: bool,
    force: bool,
) -> None:
    """Refresh the on-demand GPU offers from SkyPilot catalog files (CATALOG: a catalogs/v<N>
    folder of <cloud>/vms.csv files, or such files), and the owned rows from
    data/gpu_owned_inputs.csv; commitment rows are kept.

    The offers file is locked while it is read and rewritten, written atomically (unchanged on
    any error, not rewritten when nothing changed), written through a symbolic link; a
    read-only file is refused. An import that would drop a GPU's row or put an older snapshot
    over a newer one is refused unless --force."""
    from llmstrategy.inputs.catalog import default_data_dir
    from llmstrategy.inputs.gpu_offers import offers_csv
    from llmstrategy.inputs.skypilot_import import refresh_offers

    data = default_data_dir()
    target = offers or data / "gpu_offers.csv"
    r = refresh_offers(
        list(catalog),
        target,
        gpus_csv=data / "gpus.csv",
        owned_inputs=data / "gpu_owned_inputs.csv",
        as_of=_parse_date(as_of) or date.today(),
        source=source,
        statistic=statistic,
        dry_run=dry_run,
        force=force,
    )
    for reason, n in sorted(r.scan.skipped.items()):
        _say(f"  skipped {n} row(s): {reason}")
    for kind, lines in (("added", r.added), ("changed", r.changed), ("removed", r.removed)):
        for line in lines:
            _say(f"  {kind}: {line}")
    state = "dry run, not written" if dry_run else ("written" if r.written else "unchanged")
    _say(f"{target}: {r.summary()}; {state}")
    if dry_run:
        click.echo(offers_csv(r.rows), nl=False)


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--notebook",
    default="strategy_report",
    show_default=True,
    help="Name of a notebook in notebooks/ (without .ipynb; not a path).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Output folder.",
)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Parallel render processes.")
@click.option(
    "--timeout", type=click.IntRange(10, 3600), default=600, show_default=True, help="Seconds a notebook cell may run."
)
@click.option("--no-index", is_flag=True, help="Do not write <out>/index.html, the landing page.")
@click.option("--as-of", "as_of", default=None, help="Analysis date YYYY-MM-DD: that day's models and prices.")
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print each report to <name>.pdf beside it (A4), with headless Chromium (/usr/bin/chromium).",
)
@click.option(
    "--kernel",
    type=click.Choice(["warm", "fresh"]),
    default=None,
    help="warm: one kernel per process, fresh state per notebook (the default); fresh: a new kernel per notebook.",
)
@_one_line_errors
def render(
    profiles: tuple[Path, ...], notebook: str, out: Path, jobs: int, timeout: int, no_index: bool, pdf: bool,
    kernel: str | None, as_of: str | None,
) -> None:
    """Render HTML reports for PROFILES with papermill and nbconvert (plus CSV tables
    beside each report and an index.html landing page listing every report in --out).

    Each profile's report is named after its file (index is reserved); when another
    profile already has that name in --out, or comes earlier in the batch, the name gets
    a short hash of the profile's path. Stopping the command (Ctrl-C, SIGTERM) stops its
    --jobs workers too. With --pdf each report is also printed to <name>.pdf beside it by
    headless Chromium (one line and exit code 2, before any render, when it is missing)."""
    from llmstrategy import report  # called through the module, so a test can patch report.render_batch

    if pdf:
        report.check_pdf_support()  # one line and exit code 2 before any render
    if kernel:  # the workers inherit it (llmstrategy.report.warm)
        os.environ["LLMSTRATEGY_KERNEL"] = kernel
    day = _parse_date(as_of)
    iso = day.isoformat() if day else None
    results = report.render_batch([*profiles], notebook=notebook, out_dir=out, jobs=jobs, timeout_s=timeout, as_of=iso)
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            _say(f"wrote {r.html_path}")
    if pdf:
        for path in report.write_pdfs([r.html_path for r in results if r.ok and r.html_path]):
            _say(f"wrote {path}")
    index = None if no_index else report.write_index(out, results)
    if index is not None:
        _say(f"wrote {index}")
    if failed:
        _say(f"{len(failed)} of {len(results)} report(s) failed:", err=True)
        for r in failed:
            _say(f"  {r.profile_path}: {r.error}", err=True)
        sys.exit(1)
    _say(f"{len(results)} report(s) rendered into {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
