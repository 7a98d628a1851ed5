"""One place that turns errors into HTTP responses.

Every error body is ``{"error": {"code": str, "message": str, "details": any}}``:

=========================  ======  ==========================================
GraphEngineError subclass  status  when
=========================  ======  ==========================================
InvalidInput               422     a value breaks a rule of the model
BatchTooLarge              413     a bulk write above the documented size
UnknownCustomer/UnknownTie 404     (422 when named inside a request body)
Conflict                   409     the write contradicts what is stored
Divergent                  422     unbounded hops with spectral radius >= 1
StoreUnavailable           503     the store is down or locked (retryable)
StoreError                 500     anything else the store could not do
=========================  ======  ==========================================

FastAPI's own request validation becomes 422 ``invalid_request`` naming the fields, and
Starlette's 404/405 get the same body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import FastJSON
from graph_engine.errors import (
    BatchTooLarge,
    Conflict,
    Divergent,
    GraphEngineError,
    InvalidInput,
    StoreUnavailable,
    UnknownCustomer,
    UnknownTie,
)

__all__ = [
    "ERROR_RESPONSES",
    "ApiError",
    "ErrorDetail",
    "ErrorOut",
    "error_body",
    "error_detail",
    "install_error_handlers",
    "status_of",
]

_STATUS: list[tuple[type[Exception], int]] = [
    (BatchTooLarge, 413),
    (InvalidInput, 422),
    (UnknownCustomer, 404),
    (UnknownTie, 404),
    (Conflict, 409),
    (Divergent, 422),
    (StoreUnavailable, 503),
    (LookupError, 404),
]


class ErrorDetail(BaseModel):
    """What went wrong: a stable ``code``, a message saying what was expected, context."""

    code: str = Field(examples=["unknown_customer"])
    message: str = Field(examples=["unknown customer 'c999999'"])
    details: Any = Field(default=None, examples=[{"id": "c999999"}])


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def _error_response(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# documented on every route (api.main includes each router with these)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error_response("Missing, invalid or revoked API key"),
    403: _error_response("The key's role is too low for this route"),
    404: _error_response("Unknown customer, tie or key"),
    409: _error_response("Conflict with the stored state (e.g. expected_revision)"),
    413: _error_response("Bulk write above the maximum batch size"),
    422: _error_response("Invalid request: the message and details name the fields"),
    503: _error_response("The store is unavailable; retry later"),
}

_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "batch_too_large",
    415: "unsupported_media_type",
}


class ApiError(GraphEngineError):
    """An error that only exists at the HTTP edge (authentication, permissions)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.status = status
        self.code = code
        self.headers = headers


def status_of(exc: GraphEngineError) -> int:
    """The HTTP status of a GraphEngineError."""
    if isinstance(exc, ApiError):
        return exc.status
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON error body every route returns."""
    return {"error": {"code": code, "message": message, "details": details}}


def error_detail(exc: GraphEngineError) -> dict[str, Any]:
    """The inside of an engine error's body: ``{"code", "message", "details"}``."""
    return {"code": exc.code, "message": exc.message, "details": _jsonable(exc.details)}


def _engine_error(request: Request, exc: Exception) -> FastJSON:
    assert isinstance(exc, GraphEngineError)
    headers = exc.headers if isinstance(exc, ApiError) else None
    if exc.is_retryable():
        headers = {**(headers or {}), "Retry-After": "1"}
    return FastJSON({"error": error_detail(exc)}, status_code=status_of(exc), headers=headers)


def _validation_error(request: Request, exc: Exception) -> FastJSON:
    assert isinstance(exc, RequestValidationError)
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        fields.append(
            {"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")}
        )
    names = ", ".join(f["field"] for f in fields[:5]) + (" ..." if len(fields) > 5 else "")
    return FastJSON(
        error_body("invalid_request", f"invalid request: {names}", {"fields": fields[:50]}),
        status_code=422,
    )


def _http_error(request: Request, exc: Exception) -> FastJSON:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # a body that is not JSON at all: an invalid request, like 422
        return FastJSON(
            error_body("invalid_request", f"invalid request body: {exc.detail}; send JSON (UTF-8)"),
            status_code=422,
        )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail) if exc.detail else code.replace("_", " ")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    return FastJSON(
        error_body(code, message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def _jsonable(value: Any) -> Any:
    """Details made JSON-safe (numpy scalars and odd objects become plain values)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(GraphEngineError, _engine_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
