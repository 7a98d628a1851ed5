"""Errors raised by graph_engine.

Every error has one base, :class:`GraphEngineError`, and a stable machine-readable ``code``.
Subclasses also inherit the natural builtin so callers may catch either::

    GraphEngineError
    ├── InvalidInput (ValueError)          code "invalid_input"
    │   └── BatchTooLarge                  code "batch_too_large"
    ├── UnknownCustomer (LookupError)      code "unknown_customer"
    ├── UnknownTie (LookupError)           code "unknown_tie"
    ├── Conflict                           code "conflict"
    ├── Divergent (ArithmeticError)        code "divergent"
    └── StoreError                         code "store_error"
        ├── StoreUnavailable (ConnectionError)  code "store_unavailable", retryable
        └── SchemaMismatch                 code "schema_mismatch"
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BatchTooLarge",
    "Conflict",
    "Divergent",
    "GraphEngineError",
    "InvalidInput",
    "SchemaMismatch",
    "StoreError",
    "StoreUnavailable",
    "UnknownCustomer",
    "UnknownTie",
]


class GraphEngineError(Exception):
    """Base of every error the engine raises on purpose.

    ``code`` is stable and machine readable; ``details`` is JSON-serialisable context
    (offending rows, the spectral radius, ...).
    """

    code = "graph_engine_error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message

    def is_retryable(self) -> bool:
        """Whether trying the same call again later may succeed."""
        return False


class InvalidInput(GraphEngineError, ValueError):
    """Input that breaks a rule of the model (bad value, self-tie, ...)."""

    code = "invalid_input"


class BatchTooLarge(InvalidInput):
    """A write batch above the documented maximum size."""

    code = "batch_too_large"


class UnknownCustomer(GraphEngineError, LookupError):
    """A customer id that is not in the store."""

    code = "unknown_customer"


class UnknownTie(GraphEngineError, LookupError):
    """A tie that is not in the store."""

    code = "unknown_tie"


class Conflict(GraphEngineError):
    """A write that contradicts what is stored (e.g. a stale revision)."""

    code = "conflict"


class Divergent(GraphEngineError, ArithmeticError):
    """The unbounded multi-hop series does not converge (spectral radius >= 1)."""

    code = "divergent"


class StoreError(GraphEngineError):
    """A store could not do what was asked for a reason outside the input."""

    code = "store_error"


class StoreUnavailable(StoreError, ConnectionError):
    """The store cannot be reached (server down, file locked, ...)."""

    code = "store_unavailable"

    def is_retryable(self) -> bool:
        return True


class SchemaMismatch(StoreError):
    """The store was written by an incompatible schema version."""

    code = "schema_mismatch"
