"""Opaque cursors for every list route.

A cursor is URL-safe base64 of a small JSON document ``{"k": <route kind>, ...}`` holding a
keyset position (the last item's sort value and id), never an offset, so pages stay consistent
while writes happen: an item that did not change is never skipped nor repeated. A cursor given
by one route is refused (422) by another. Routers added later reuse :func:`encode_cursor` /
:func:`decode_cursor` and :class:`Page`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field

from graph_engine.errors import InvalidInput

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "decode_cursor", "encode_cursor"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` and the cursor of the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(kind: str, **position: Any) -> str:
    """An opaque cursor for route ``kind`` at ``position`` (JSON-serialisable values)."""
    raw = orjson.dumps({"k": kind, **position}, option=orjson.OPT_SERIALIZE_NUMPY)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> dict[str, Any] | None:
    """The position in a cursor of route ``kind`` (None for no cursor).

    Raises
    ------
    InvalidInput
        The cursor was not made by this route (422).
    """
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        data = None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise InvalidInput(
            "cursor is not one this route gave out; pass back `next_cursor` "
            "from the previous page unchanged",
            details={"cursor": cursor[:100]},
        )
    return data
