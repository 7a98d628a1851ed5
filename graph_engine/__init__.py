"""graph_engine: the customer-community relationship-graph engine.

Scores every customer's stickiness ``S_i = a_i + sum_j lambda_ij a_j`` over the ties between
customers, with ``lambda_ij = beta * w_kind * closeness``.
"""

from graph_engine.compute import Explanation, Scores, explain, network_value, scores
from graph_engine.errors import (
    Divergent,
    GraphEngineError,
    InvalidInput,
    StoreError,
    UnknownCustomer,
    UnknownTie,
)
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores import InMemoryStore, SQLiteStore, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "Customer",
    "CustomerBatch",
    "Divergent",
    "Explanation",
    "GraphEngineError",
    "GraphSettings",
    "InMemoryStore",
    "InvalidInput",
    "SQLiteStore",
    "Scores",
    "Snapshot",
    "Store",
    "StoreError",
    "Tie",
    "TieBatch",
    "UnknownCustomer",
    "UnknownTie",
    "__version__",
    "explain",
    "network_value",
    "open_store",
    "scores",
]
