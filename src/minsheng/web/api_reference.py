"""Reference API: divisions, identifier checks and policy parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from minsheng.core import divisions, ids
from minsheng.foundation.principals import Principal
from minsheng.policy import load as load_params
from minsheng.policy.scale import MarginalRateScale
from minsheng.webkit.guards import public

router = APIRouter(prefix="/api", tags=["reference 参考数据"])
PUBLIC = Depends(public())  # reference data and pure checks are public


class DivisionOut(BaseModel):
    code: str
    name_zh: str
    name_bo: str | None
    name_en: str | None
    level: str
    parent_code: str | None


class IdCheckIn(BaseModel):
    value: str


class IdCheckOut(BaseModel):
    kind: str
    fields: dict[str, Any]


def _div(d: divisions.Division) -> DivisionOut:
    return DivisionOut(
        code=d.code,
        name_zh=d.name_zh,
        name_bo=d.name_bo,
        name_en=d.name_en,
        level=d.level,
        parent_code=d.parent_code,
    )


@router.get("/divisions", response_model=list[DivisionOut])
def list_divisions(
    name: str | None = Query(None, max_length=40, description="Chinese, Tibetan or English name"),
    parent: str | None = Query(None, description="list the children of this code"),
    by: Principal = PUBLIC,
) -> list[DivisionOut]:
    if name:
        return [_div(d) for d in divisions.by_name(name)]
    if parent:
        p = divisions.get(parent, "parent")
        return [_div(d) for d in divisions.all_divisions() if d.parent_code == p.code]
    return [_div(d) for d in divisions.all_divisions()]


@router.get("/divisions/{code}", response_model=DivisionOut)
def get_division(code: str, by: Principal = PUBLIC) -> DivisionOut:
    """A current or retired code; a retired one answers with its current division."""
    return _div(divisions.get(code, "code"))


@router.post("/ids/check", response_model=IdCheckOut)
def check_id(data: IdCheckIn, by: Principal = PUBLIC) -> IdCheckOut:
    kind, fields = ids.check_any(data.value)
    return IdCheckOut(kind=kind, fields=fields)


@router.get("/parameters/{path}")
def get_parameter(
    path: str,
    date: dt.date | None = None,
    region: str | None = Query(None, description="division code of the pooling region"),
    by: Principal = PUBLIC,
) -> dict[str, Any]:
    """A parameter's value in force on ``date`` in ``region``, with its unit, source and status."""
    snap = load_params().at(date or dt.date.today(), region)
    node = load_params().get(path)
    if isinstance(node, MarginalRateScale):
        scale = snap.scale(path)
        return {**scale.to_dict(), "parts": [i.to_dict() for i in scale.infos]}
    return snap.info(path).to_dict()
