"""Filing projects (issue 13 point 1): firms by checked credit code (registered when new),
teams, the labour-cost schedule at most one month apart (art. 24), the blacklist refusing a
new project, completion and closing; bad input changes nothing; region and firm scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import staff
from minsheng.registry.models import Employer
from minsheng.wages import access, blacklist, projects
from minsheng.wages.models import WgProject, WgProjectFirm, WgScheduleItem, WgTeam
from minsheng.wages.schemas import InstalmentIn, ProjectPatch, TeamIn
from tests.wages.project_kit import (
    BY,
    GENERAL,
    SUB,
    TODAY,
    contractor,
    counts,
    filed,
    project_in,
)

TABLES = (WgProject, WgProjectFirm, WgScheduleItem, Employer, AuditEntry)


def test_a_project_is_filed_with_its_firms_and_schedule(session: Session) -> None:
    project = filed(session)
    assert project.code == f"XM540102{project.id:08d}"
    assert project.contract_value == 1_200_000_000  # 12,000,000.00 元 in fen
    out = projects.project_out(session, project, full=True)
    assert [(f["role"], f["credit_code"]) for f in out["firms"]] == [
        ("developer", out["firms"][0]["credit_code"]),
        ("general", GENERAL),
        ("sub", SUB),
    ]
    # the three firms were new: registered in the registry in the project's county
    names = session.scalars(select(Employer.division_code).where(Employer.credit_code == SUB))
    assert list(names) == ["540102"]
    assert [s["due_on"] for s in out["schedule"]] == ["2026-04-01", "2026-05-01", "2026-06-01"]
    assert out["teams"][0]["name"] == "钢筋班组"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.resource == "wg_project", AuditEntry.action == "create")
    ).one()
    assert entry.record_id == str(project.id)


def test_a_known_firm_is_reused_by_its_code(session: Session) -> None:
    filed(session)
    before = counts(session, Employer)
    projects.file_project(
        session, project_in(name="第二个项目", developer={"credit_code": GENERAL}), BY, today=TODAY
    )
    assert counts(session, Employer) == before


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        ({"contract_value": "0"}, "contract_value", "positive"),
        ({"contract_value": "1.234"}, "contract_value", None),
        ({"end_date": "2026-03-01"}, "end_date", "before_start"),
        ({"contract_signed_on": "2026-12-01"}, "contract_signed_on", "future"),
        ({"division_code": "540200"}, "division_code", None),  # a prefecture, not a county
        ({"general": {"credit_code": "91540102MA6T00000X"}}, "general.credit_code", None),
        ({"general": {"credit_code": "91540102" + "0" * 10}}, "general.credit_code", None),
        ({"developer": {"credit_code": "915401020000050XXX"[:18]}}, "developer.credit_code", None),
        ({"subcontractors": [{"credit_code": GENERAL}]}, "subcontractors", "is_general"),
        (
            {"schedule": [{"due_on": "2026-04-03", "amount": "1.00"}]},
            "schedule.0.due_on",
            "gap",
        ),
        (
            {"schedule": [{"due_on": "2026-04-01", "amount": "1.00"}]},
            "schedule.0.due_on",
            "ends_early",
        ),
        (
            {"schedule": [{"due_on": "2026-02-01", "amount": "1.00"}]},
            "schedule.0.due_on",
            "before_contract",
        ),
        (
            {
                "schedule": [
                    {"due_on": "2026-04-01", "amount": "0"},
                    {"due_on": "2026-05-01", "amount": "1"},
                    {"due_on": "2026-06-01", "amount": "1"},
                ]
            },
            "schedule.0.amount",
            "positive",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    session: Session, over: dict[str, object], field: str, rule: str | None
) -> None:
    before = counts(session, *TABLES)
    with pytest.raises(MinshengError) as err:
        projects.file_project(session, project_in(**over), BY, today=TODAY)
    assert err.value.field == field
    if rule:
        assert err.value.rule == rule
    assert err.value.zh and err.value.en and err.value.tibetan
    assert counts(session, *TABLES) == before


def test_a_new_firm_without_a_name_is_refused(session: Session) -> None:
    from minsheng.core import ids

    before = counts(session, *TABLES)
    with pytest.raises(MinshengError) as err:
        projects.file_project(
            session,
            project_in(general={"credit_code": ids.make_credit_code("540102", 9001)}),
            BY,
            today=TODAY,
        )
    assert (err.value.field, err.value.rule) == ("general.name", "required")
    assert counts(session, *TABLES) == before


def test_a_blacklisted_firm_cannot_file_a_new_project(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    filed(session)
    general = session.scalar(select(Employer.id).where(Employer.credit_code == GENERAL))
    asked: list[tuple[int, dt.date]] = []

    def listed(s: Session, employer_id: int, on: dt.date) -> bool:
        asked.append((employer_id, on))
        return employer_id == general

    monkeypatch.setattr(blacklist, "listed", listed)
    before = counts(session, *TABLES)
    with pytest.raises(ConflictError) as err:
        projects.file_project(session, project_in(name="新项目"), BY, today=TODAY)
    assert (err.value.field, err.value.rule) == ("general.credit_code", "blacklisted")
    assert (general, TODAY) in asked
    assert counts(session, *TABLES) == before


def test_filing_outside_ones_region_is_refused(session: Session) -> None:
    shigatse = staff(1, "cw", "caseworker", "540200")
    before = counts(session, *TABLES)
    with pytest.raises(ForbiddenError):
        projects.file_project(session, project_in(), shigatse, today=TODAY)
    assert counts(session, *TABLES) == before


def test_schedule_replaced_whole_or_not_at_all(session: Session) -> None:
    project = filed(session)
    items = [
        InstalmentIn(due_on=dt.date(2026, 4, 2), amount="1.00"),
        InstalmentIn(due_on=dt.date(2026, 5, 2), amount="2.00"),
        InstalmentIn(due_on=dt.date(2026, 6, 15), amount="3.00"),  # 1 month 13 days after
    ]
    with pytest.raises(MinshengError) as err:
        projects.set_schedule(session, project.id, items, BY)
    assert (err.value.field, err.value.rule) == ("schedule.2.due_on", "gap")
    assert len(projects.schedule_of(session, project.id)) == 3
    items[2] = InstalmentIn(due_on=dt.date(2026, 6, 2), amount="3.00")
    rows = projects.set_schedule(session, project.id, items, BY)
    assert [r.amount for r in rows] == [100, 200, 300]


def test_teams_belong_to_a_builder_of_the_project(session: Session) -> None:
    project = filed(session)
    from minsheng.wages.models import WgProjectFirm as F

    developer = session.scalar(select(F).where(F.project_id == project.id, F.role == "developer"))
    assert developer is not None
    code = session.get(Employer, developer.employer_id).credit_code  # type: ignore[union-attr]
    with pytest.raises(MinshengError) as err:
        projects.add_team(session, project.id, TeamIn(name="木工班组", credit_code=code), BY)
    assert err.value.rule == "not_builder"
    with pytest.raises(ConflictError):
        projects.add_team(session, project.id, TeamIn(name="钢筋班组", credit_code=SUB), BY)
    team = projects.add_team(session, project.id, TeamIn(name="木工班组", credit_code=GENERAL), BY)
    assert session.get(WgTeam, team.id) is not None


def test_complete_then_close(session: Session) -> None:
    project = filed(session)
    with pytest.raises(MinshengError) as err:
        projects.complete_project(session, project.id, dt.date(2026, 1, 1), BY, today=TODAY)
    assert err.value.field == "completed_on"
    projects.complete_project(session, project.id, dt.date(2026, 6, 30), BY, today=TODAY)
    assert (project.state, project.completed_on) == ("completed", dt.date(2026, 6, 30))
    with pytest.raises(ConflictError):
        projects.add_team(session, project.id, TeamIn(name="收尾班组", credit_code=GENERAL), BY)
    projects.close_project(session, project.id, BY)
    with pytest.raises(ConflictError):
        projects.close_project(session, project.id, BY)
    with pytest.raises(ConflictError):
        projects.update_project(session, project.id, ProjectPatch(name="改名"), BY)


def test_update_checks_and_audits(session: Session) -> None:
    project = filed(session)
    with pytest.raises(MinshengError):
        projects.update_project(session, project.id, ProjectPatch(contract_value="-5"), BY)
    projects.update_project(session, project.id, ProjectPatch(contract_value="13000000"), BY)
    assert project.contract_value == 1_300_000_000


def test_another_region_or_firm_sees_the_project_as_missing(session: Session) -> None:
    project = filed(session)
    with pytest.raises(NotFoundError) as missing:
        access.get_project(session, 999_999, BY)
    shigatse = staff(1, "cw", "caseworker", "540200")
    with pytest.raises(NotFoundError) as elsewhere:
        access.get_project(session, project.id, shigatse)
    assert elsewhere.value.to_dict() == missing.value.to_dict()
    lhasa = staff(2, "cw", "caseworker", "540100")
    assert access.get_project(session, project.id, lhasa) is project
    general = session.scalar(select(Employer.id).where(Employer.credit_code == GENERAL))
    sub = session.scalar(select(Employer.id).where(Employer.credit_code == SUB))
    other = session.scalar(
        select(Employer.id).where(Employer.credit_code != GENERAL, Employer.credit_code != SUB)
    )
    mine = contractor(session, general, n=1)
    theirs = contractor(session, sub, n=2)
    unbound = contractor(session, None, n=3)
    assert access.get_project(session, project.id, mine) is project
    assert access.get_project(session, project.id, theirs) is project  # a subcontractor's too
    assert other is not None
    for who in (unbound, contractor(session, general, region="540200", n=4)):
        with pytest.raises(NotFoundError):
            access.get_project(session, project.id, who)
    seen = session.scalars(access.visible_projects(select(WgProject), unbound)).all()
    assert seen == []
    assert session.scalars(access.visible_projects(select(WgProject), mine)).all() == [project]
    assert session.scalars(access.visible_projects(select(WgProject), shigatse)).all() == []
