"""One state per interactive notebook: the session the parameters cell loaded, what the
widgets changed since (the profile, the API and GPU price multipliers), and every output
area that shows a result of it.

A cell function decorated with :func:`live` returns, in an interactive notebook, an
``ipywidgets.Output`` registered here; any widget that changes an input calls
:meth:`NotebookState.update`, which re-runs the engine once (:func:`pipeline.evaluate`,
about 0.1 s) and redraws every registered area, so the executive summary, the tables and
the charts below a slider move with it. :meth:`NotebookState.reset` goes back to the
parameters cell's values. In report mode nothing is registered: cells return static HTML.

HTML shown live goes through :func:`no_math`: JupyterLab typesets ``$…$`` pairs as LaTeX,
which turned "$26.33 per 1,000 requests … $1,602" into math.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llmstrategy.errors import LLMStrategyError

if TYPE_CHECKING:
    from llmstrategy.inputs.catalog import Catalog
    from llmstrategy.inputs.profile import Profile

#: A :class:`llmstrategy.notebook.session.Session` (not imported: the session imports this module)
Session = Any

#: True while a live output area is being drawn: HTML is then made typesetting-proof, and
#: cell functions called by another cell's drawing run directly instead of registering.
_DRAWING: ContextVar[bool] = ContextVar("llmstrategy_drawing_live_output", default=False)

#: MathJax 3+ (JupyterLab 4) skips elements of class ``mathjax_ignore``; MathJax 2 skipped
#: ``tex2jax_ignore``.
NO_MATH_CLASSES = "mathjax_ignore tex2jax_ignore"

_TAG = re.compile(r"(<[^>]*>)")


def drawing_live() -> bool:
    """True inside :meth:`NotebookState` drawing (see :data:`_DRAWING`)."""
    return _DRAWING.get()


def no_math(markup: str) -> str:
    """``markup`` (HTML) that a LaTeX typesetter leaves as it is: wrapped in an element of
    the classes MathJax ignores, and each ``$`` of its text in its own ``<span>``, so that
    no two dollar signs can pair even where the class is not honoured (MathJax and KaTeX
    never pair delimiters across elements). Tags and attributes are left untouched."""
    if "$" in markup:
        parts = _TAG.split(markup)
        markup = "".join(p if p.startswith("<") else p.replace("$", "<span>$</span>") for p in parts)
    return f'<div class="{NO_MATH_CLASSES}">{markup}</div>'


def as_displayable(result: Any) -> Any:
    """What an output area displays for a cell's ``result``: HTML (IPython ``HTML`` or a
    pandas ``Styler``) made typesetting-proof, anything else (figures, widgets) as it is."""
    from IPython.display import HTML

    if isinstance(result, HTML):
        data = result.data or ""
        return result if data.startswith(f'<div class="{NO_MATH_CLASSES}">') else HTML(no_math(data))
    if any(c.__name__ == "Styler" for c in type(result).__mro__) and hasattr(result, "to_html"):
        return HTML(no_math(result.to_html()))  # a pandas Styler (or a subclass of it)
    return result


@dataclass
class _View:
    out: Any  # ipywidgets.Output
    draw: Callable[[Session], Any]


@dataclass
class NotebookState:
    """The notebook's current session and its output areas (mutable: widgets change it).

    ``initial`` is what the parameters cell loaded; ``session`` is the current one, whose
    profile and catalog carry every widget's change; ``api_price_multiplier`` and
    ``gpu_price_multiplier`` are the what-ifs applied to ``base_catalog``."""

    initial: Session
    seed: int
    samples: int
    session: Session = field(init=False)
    base_catalog: Catalog = field(init=False)
    api_price_multiplier: float = 1.0
    gpu_price_multiplier: float = 1.0
    views: list[_View] = field(default_factory=list)
    resets: list[Callable[[Session], None]] = field(default_factory=list)
    #: True while :meth:`reset` sets widgets back: their observers must not call update
    quiet: bool = False
    #: :func:`live` cells return output areas only in a kernel (a notebook); a script or a
    #: test calling them outside one gets the plain result
    register: bool = field(default_factory=lambda: _in_kernel())
    redraws: int = 0

    def __post_init__(self) -> None:
        self.session = self.initial
        self.base_catalog = self.initial.catalog

    # ------------------------------------------------------------------ output areas

    def view(self, draw: Callable[[Session], Any]) -> Any:
        """A new output area showing ``draw(session)``, redrawn on every change."""
        import ipywidgets as w

        out = w.Output()
        out.add_class("lls-live")
        v = _View(out, draw)
        self.views.append(v)
        self._draw(v)
        return out

    def _draw(self, v: _View) -> None:
        from IPython.display import HTML, display

        token = _DRAWING.set(True)
        try:
            with v.out:
                v.out.clear_output(wait=True)
                try:
                    result = v.draw(self.session)
                except LLMStrategyError as err:  # one line, in the area it concerns
                    result = HTML(f'<p class="lls-warning">{html.escape(str(err), quote=False)}</p>')
                if result is not None:
                    display(as_displayable(result))
        finally:
            _DRAWING.reset(token)

    def refresh(self, out: Any) -> None:
        """Draw one output area again (a filter that only concerns that area)."""
        for v in self.views:
            if v.out is out:
                self._draw(v)

    def redraw(self) -> None:
        """Draw every registered output area again from the current session."""
        self.redraws += 1
        for v in self.views:
            self._draw(v)

    def on_reset(self, callback: Callable[[Session], None]) -> None:
        """``callback(initial session)`` sets a control back to the parameters cell's value
        (observers are silenced meanwhile: see :attr:`quiet`)."""
        self.resets.append(callback)

    # ------------------------------------------------------------------ changes

    def update(
        self,
        *,
        profile: Profile | None = None,
        api_price_multiplier: float | None = None,
        gpu_price_multiplier: float | None = None,
        **profile_changes: Any,
    ) -> None:
        """Apply a change (a whole new ``profile``, some of its fields, or a price
        multiplier), re-run the engine and redraw every area. Raises the package's error
        for an invalid change, leaving the state as it was."""
        if self.quiet:
            return
        p = profile if profile is not None else self.session.profile
        if profile_changes:
            p = p.with_updates(**profile_changes)
        api = self.api_price_multiplier if api_price_multiplier is None else float(api_price_multiplier)
        gpu = self.gpu_price_multiplier if gpu_price_multiplier is None else float(gpu_price_multiplier)
        catalog = self.base_catalog
        if (api, gpu) != (1.0, 1.0):
            catalog = catalog.with_price_multipliers(api=api, gpu=gpu)
        self.session = self._evaluate(p, catalog)
        self.api_price_multiplier, self.gpu_price_multiplier = api, gpu
        self.redraw()

    def _evaluate(self, profile: Profile, catalog: Catalog) -> Session:
        from llmstrategy.pipeline import evaluate

        a, d = evaluate(profile, catalog, on_date=self.initial.analysis.on_date, seed=self.seed, samples=self.samples)
        return replace(self.initial, profile=profile, catalog=catalog, analysis=a, decision=d)

    def reset(self) -> None:
        """Back to the parameters cell's values: every control, then every area."""
        self.session = self.initial
        self.api_price_multiplier = self.gpu_price_multiplier = 1.0
        self.quiet = True
        try:
            for callback in self.resets:
                callback(self.initial)
        finally:
            self.quiet = False
        self.redraw()

    def reset_button(self) -> Any:
        """A button that calls :meth:`reset` (each control group shows one)."""
        import ipywidgets as w

        button = w.Button(
            description="Reset to the parameters cell",
            icon="undo",
            tooltip="Every widget of this notebook back to the profile and settings the parameters cell loaded",
            layout=w.Layout(width="auto"),
        )
        button.add_class("lls-reset")
        button.on_click(lambda *_: self.reset())
        return button


F = TypeVar("F", bound=Callable[..., Any])


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def live(fn: F) -> F:
    """Make a cell function follow the notebook's state: in an interactive session it
    returns an output area that shows ``fn(current session, …)`` and is redrawn on every
    change; in report mode, outside a kernel (:attr:`NotebookState.register`), or when
    another area's drawing calls it, it runs directly."""

    @functools.wraps(fn)
    def cell(s: Session, *args: Any, **kwargs: Any) -> Any:
        state = getattr(s, "state", None)
        if state is None or s.report_mode or not state.register or _DRAWING.get():
            return fn(s, *args, **kwargs)
        return state.view(lambda current: fn(current, *args, **kwargs))

    return cast(F, cell)
