"""A firm on the blacklist cannot file a new project (issue 13 point 8): the projects area's
``file_project`` asks ``blacklist.listed``; after an early removal the firm files again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError
from minsheng.foundation.principals import system
from minsheng.registry.models import Employer
from minsheng.wages import blacklist, projects
from minsheng.wages.models import WgProject
from minsheng.wages.schemas import FirmIn, ProjectIn
from tests.wages.deposit_world import BY, site

TODAY = dt.date.today()


def _new(s: Session, general: str, developer: str) -> ProjectIn:
    return ProjectIn(
        name="失信测试新工程",
        division_code="540102",
        contract_value="5000000.00",
        contract_signed_on=TODAY,
        start_date=TODAY,
        developer=FirmIn(credit_code=developer),
        general=FirmIn(credit_code=general),
    )


def test_a_listed_firm_cannot_file(session: Session) -> None:
    x = site(session)
    rec = blacklist.propose(
        session,
        employer_id=x.general_id,
        project_id=x.project_id,
        owed=[(3, "6000")],
        facts="拖欠一人三个月",
        by=BY,
        today=TODAY - dt.timedelta(days=200),
    )
    blacklist.approve(session, rec.id, by=system("checker"), today=TODAY - dt.timedelta(days=200))
    general = session.get(Employer, x.general_id)
    developer = session.get(Employer, x.developer_id)
    assert general and developer
    before = session.scalar(select(func.count()).select_from(WgProject))
    with pytest.raises(ConflictError) as e:
        projects.file_project(
            session, _new(session, general.credit_code, developer.credit_code), BY
        )
    assert e.value.rule == "blacklisted"
    assert session.scalar(select(func.count()).select_from(WgProject)) == before
    blacklist.request_removal(
        session,
        rec.id,
        put_right_on=TODAY - dt.timedelta(days=190),
        pledge="信用承诺",
        by=BY,
        today=TODAY,
    )
    blacklist.decide_removal(session, rec.id, approve_it=True, by=system("checker"), today=TODAY)
    filed = projects.file_project(
        session, _new(session, general.credit_code, developer.credit_code), BY
    )
    assert filed.id
