"""API keys (admin): create (the key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import AdminKey, KeyRingDep, LiveDep
from api.pagination import Page
from api.schemas import KeyCreatedOut, KeyCreateIn, KeyOut

__all__ = ["router"]

router = APIRouter(prefix="/keys", tags=["keys"])


@router.get(
    "",
    operation_id="list_keys",
    response_model=Page[KeyOut],
    summary="Every API key (ids and roles, never the keys)",
)
def list_keys(key: AdminKey, keys: KeyRingDep) -> dict[str, object]:
    return {"items": [k.public() for k in keys.list()], "next_cursor": None}


@router.post(
    "",
    operation_id="create_key",
    response_model=KeyCreatedOut,
    status_code=201,
    summary="Create a key; the response is the only time it is shown",
)
def create_key(
    body: KeyCreateIn, key: AdminKey, keys: KeyRingDep, live: LiveDep
) -> dict[str, object]:
    secret, record = keys.create(body.role, name=body.name, put_meta=live.put_meta)
    return {**record.public(), "key": secret}


@router.delete(
    "/{key_id}",
    operation_id="revoke_key",
    status_code=204,
    summary="Revoke a key",
    responses={404: {"description": "No such key"}},
)
def revoke_key(
    key_id: Annotated[str, Path(max_length=64)], key: AdminKey, keys: KeyRingDep, live: LiveDep
) -> None:
    keys.revoke(key_id, put_meta=live.put_meta)
