"""HTTP API over graph_engine (FastAPI): versioned routes under ``/v1``.

Build the app with :func:`api.main.create_app`; ``graph-engine serve`` runs it with uvicorn.
"""

from __future__ import annotations

__all__: list[str] = []
