"""A fast JSON response (orjson), used by every route and error handler."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

__all__ = ["FastJSON"]


class FastJSON(JSONResponse):
    """JSONResponse rendered with orjson (numpy arrays and scalars are serialised natively)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
