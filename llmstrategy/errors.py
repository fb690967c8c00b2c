"""One exception tree for the package.

Every error the package raises on bad input is an :class:`LLMStrategyError`. Its
``str()`` is a single line naming the file, the field and what was expected, so the
CLI can print it as is (exit code 2) and papermill workers can pickle it.
"""

from __future__ import annotations


class LLMStrategyError(Exception):
    """Root of the package's errors: a one-line, actionable message."""

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None):
        self.message = " ".join(str(message).split())  # always one line
        self.path = path
        self.field = field
        super().__init__(self.message)

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(_printable(str(self.path)))
        if self.field:
            where.append(f"field '{_printable(str(self.field))}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __reduce__(self):  # keep path/field through pickling (multiprocessing, papermill)
        return (_rebuild, (type(self), self.message, self.path, self.field))


def _printable(text: str) -> str:
    """``text`` as is, or escaped like ``repr`` (without quotes) when it holds a newline,
    a control character or a lone surrogate: a YAML key or a file name may hold any of
    them, and the message must stay one printable line."""
    return text if text.isprintable() else repr(text)[1:-1]


def _rebuild(cls, message, path, field):
    return cls(message, path=path, field=field)


class ProfileError(LLMStrategyError):
    """A workload profile file is missing, unreadable or invalid."""


class CatalogError(LLMStrategyError):
    """A catalog file (models, GPUs, RAG defaults, strategies) is missing or invalid."""


class UnknownIdError(CatalogError):
    """A model or GPU id is not in its catalog."""


class PriceImportError(LLMStrategyError):
    """A price-map file cannot be imported."""


class ComputationError(LLMStrategyError):
    """Inputs are valid but a computation has no meaningful answer."""


class RenderError(LLMStrategyError):
    """A notebook failed to execute or export."""
