"""A small world for the deposit and blacklist tests: projects with a developer and a general
contractor (built directly, as the projects area's services are not needed here), and the
staff who act on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.foundation.principals import staff, system
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn
from minsheng.wages.models import WgProject, WgProjectFirm

BY = system("test")
LHASA = "540102"  # 城关区
NYINGCHI = "540402"  # 巴宜区
CASEWORKER = staff(901, "cw1", "caseworker", LHASA)
CASEWORKER2 = staff(902, "cw2", "caseworker", LHASA)
SUPERVISOR = staff(903, "sv1", "supervisor", LHASA)
SUPERVISOR2 = staff(904, "sv2", "supervisor", LHASA)
OTHER_COUNTY = staff(905, "cw-ny", "caseworker", NYINGCHI)


@dataclass
class Site:
    project_id: int
    general_id: int  # the general contractor (employers.id)
    developer_id: int


def firm(s: Session, tag: int, county: str = LHASA, name: str | None = None) -> int:
    e = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code(county, 700 + tag),
            name=name or f"保证金测试单位{tag}",
            division_code=county,
        ),
        BY,
    )
    return e.id


def site(
    s: Session,
    tag: int = 1,
    *,
    value: int = 1_000_000_000,  # fen: 10,000,000 元
    signed: dt.date = dt.date(2026, 9, 1),
    county: str = LHASA,
    general_id: int | None = None,
    completed_on: dt.date | None = None,
) -> Site:
    general = general_id if general_id is not None else firm(s, tag, county)
    developer = firm(s, 500 + tag, county, name=f"建设单位{tag}")
    project = WgProject(
        code=f"DP-{county}-{tag:04d}",
        name=f"保证金测试工程{tag}",
        division_code=county,
        contract_value=value,
        contract_signed_on=signed,
        start_date=signed,
        completed_on=completed_on,
        state="completed" if completed_on else "active",
    )
    s.add(project)
    s.flush()
    s.add(WgProjectFirm(project_id=project.id, employer_id=general, role="general"))
    s.add(WgProjectFirm(project_id=project.id, employer_id=developer, role="developer"))
    s.flush()
    return Site(project.id, general, developer)
