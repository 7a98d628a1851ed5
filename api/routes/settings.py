"""Graph settings: beta and the kind weights."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminKey, LiveDep, ReadKey, StoreDep
from api.schemas import SettingsIn, SettingsOut
from graph_engine.settings import GraphSettings

__all__ = ["router"]

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get(
    "",
    operation_id="get_settings",
    response_model=SettingsOut,
    summary="The graph settings in force",
)
def get_settings(key: ReadKey, store: StoreDep) -> dict[str, object]:
    return store.get_settings().model_dump()


@router.put(
    "",
    operation_id="put_settings",
    response_model=SettingsOut,
    summary="Replace beta and the kind weights (admin)",
)
def put_settings(body: SettingsIn, key: AdminKey, live: LiveDep) -> dict[str, object]:
    return live.put_settings(GraphSettings.model_validate(body.model_dump())).model_dump()
