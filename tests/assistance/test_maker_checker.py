"""Issue 10 item 12: benefits come from decided cases, and a decision needs two people.

- 特困 / 低保 / 低保边缘 statuses are refused on the registry route (a caseworker cannot grant a
  benefit by writing a status); only an approved case writes them, or a supervisor's audited
  import of a decision taken elsewhere (with its certificate number).
- Maker–checker (审核与审批分离): whoever checked a case cannot approve it — neither through
  another credential of the same account (a token) nor as the system under the same name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from minsheng.assistance import service
from minsheng.assistance.models import Case
from minsheng.assistance.schemas import CaseIn
from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.core.errors import ForbiddenError
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import PERMISSIONS, system
from minsheng.registry.models import SpecialStatus
from minsheng.registry.schemas import StatusIn
from minsheng.registry.statuses import add_status, end_status
from tests.assistance.conftest import BY, TODAY, monthly_income
from tests.conftest import staff_client

BENEFITS = ("tekun", "dibao", "dibao_edge", "disability", "orphan", "poverty_return", "border")


def _users(engine: Engine) -> dict[str, tuple[int, str]]:
    """Two Lhasa caseworkers and a supervisor: username → (user id, bearer token)."""
    out: dict[str, tuple[int, str]] = {}
    with make_sessionmaker(engine)() as s:
        for name, role in (("cw.a", "caseworker"), ("cw.b", "caseworker"), ("sup", "supervisor")):
            user = create_user(s, BY, name, "correct-horse-1", role, "540100")
            raw, _ = create_token(s, BY, user.id, "t", sorted(PERMISSIONS[role]))
            out[name] = (user.id, raw)
        s.commit()
    return out


def _bearer(app: Any, raw: str) -> Any:
    from fastapi.testclient import TestClient

    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {raw}"
    return c


def _statuses(engine: Engine, person_id: int) -> list[str]:
    with make_sessionmaker(engine)() as s:
        return list(
            s.scalars(select(SpecialStatus.kind).where(SpecialStatus.person_id == person_id))
        )


@pytest.mark.parametrize("kind", BENEFITS)
def test_a_caseworker_cannot_grant_a_benefit_status(
    app: Any, engine: Engine, world: dict[str, int], kind: str
) -> None:
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/api/persons/{world['head']}/statuses"
    r = cw.post(url, json={"kind": kind, "start_date": "2026-01-01"})
    assert r.status_code == 403, r.text
    assert r.json()["error"]["rule"] == "benefit_status_from_case"
    assert r.json()["error"]["message"]["zh"] and r.json()["error"]["message"]["en"]
    assert _statuses(engine, world["head"]) == []
    # a status that opens nothing (unemployed) is still the caseworker's to record
    r = cw.post(url, json={"kind": "unemployed", "start_date": "2026-01-01"})
    assert r.status_code == 201, r.text


def test_a_benefit_status_cannot_be_ended_or_stretched_outside_its_case(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    with make_sessionmaker(engine)() as s:
        st = add_status(
            s,
            world["head"],
            StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1), end_date=dt.date(2025, 12, 31)),
            BY,
        )
        s.commit()
        status_id = st.id
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    for end in ("2031-01-01", "2024-01-01"):  # neither longer nor shorter: the case decides
        r = cw.patch(f"/api/statuses/{status_id}", json={"end_date": end})
        assert r.status_code == 403 and r.json()["error"]["rule"] == "benefit_status_from_case"
    with make_sessionmaker(engine)() as s:
        with pytest.raises(ForbiddenError) as err:  # not even the platform may stretch one
            end_status(s, status_id, dt.date(2031, 1, 1), BY)
        assert err.value.rule == "benefit_status_extended"


def test_a_supervisor_imports_a_decided_status_with_its_certificate_audited(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    sup: Any = staff_client(app, engine, "supervisor", "540100")
    url = f"/api/persons/{world['head']}/statuses"
    r = sup.post(url, json={"kind": "dibao", "start_date": "2026-01-01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "certificate_no"
    r = sup.post(
        url, json={"kind": "dibao", "start_date": "2026-01-01", "certificate_no": "LS-DB-2019-0042"}
    )
    assert r.status_code == 201, r.text
    with make_sessionmaker(engine)() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.resource == "status").order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.action == "import" and entry.role == "supervisor"
        assert "LS-DB-2019-0042" not in (entry.detail or "")  # fields named, never values


def _checked(engine: Engine, world: dict[str, int], checker: Any) -> int:
    """A 低保 case applied for and checked (and its notice published) by ``checker``."""
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "300")
        s.commit()
    r = checker.post(
        "/api/assistance/cases", json={"household_id": world["household"], "programme": "dibao"}
    )
    assert r.status_code == 201, r.text
    case = int(r.json()["id"])
    for action in ("check", "notice"):
        r = checker.post(f"/api/assistance/cases/{case}/actions", json={"action": action})
        assert r.status_code == 200, r.text
    with make_sessionmaker(engine)() as s:  # the public notice has run its course
        c = s.get(Case, case)
        assert c is not None
        c.notice_end = TODAY - dt.timedelta(days=30)
        s.commit()
    return case


def test_the_checker_cannot_approve_a_second_caseworker_can(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    users = _users(engine)
    a = _bearer(app, users["cw.a"][1])
    b = _bearer(app, users["cw.b"][1])
    case = _checked(engine, world, a)
    r = a.post(f"/api/assistance/cases/{case}/actions", json={"action": "approve"})
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert err["rule"] == "maker_checker" and err["message"]["zh"] and err["message"]["en"]
    # another credential of the same account is the same person
    with make_sessionmaker(engine)() as s:
        raw, _ = create_token(s, BY, users["cw.a"][0], "second", ["assistance:write"])
        s.commit()
    r = _bearer(app, raw).post(f"/api/assistance/cases/{case}/actions", json={"action": "approve"})
    assert r.status_code == 403 and r.json()["error"]["rule"] == "maker_checker"
    assert _statuses(engine, world["head"]) == []
    r = b.post(f"/api/assistance/cases/{case}/actions", json={"action": "approve"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved"
    assert [e["by"] for e in r.json()["events"]] == [f"user:{users['cw.a'][0]}"] * 3 + [
        f"user:{users['cw.b'][0]}"
    ]
    assert "dibao" in _statuses(engine, world["head"])


def test_maker_checker_binds_the_platform_too(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        case = service.open_case(
            s,
            CaseIn(household_id=world["household"], programme="temporary", requested="500"),
            BY,
            TODAY,
        )
        service.act(s, case.id, "check", BY, today=TODAY)
        s.commit()
        case_id = case.id
    with make_sessionmaker(engine)() as s:
        with pytest.raises(ForbiddenError) as err:
            service.act(s, case_id, "approve", BY, today=TODAY)
        assert err.value.rule == "maker_checker"
    with make_sessionmaker(engine)() as s:
        approved = service.act(s, case_id, "approve", system("test-approver"), today=TODAY)
        assert approved.state == "approved"


def test_a_checked_case_from_a_legacy_token_event_is_still_the_same_person(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    """Events written before this change name the token (``token:7``): it counts as its user."""
    users = _users(engine)
    a = _bearer(app, users["cw.a"][1])
    case = _checked(engine, world, a)
    with make_sessionmaker(engine)() as s:
        from minsheng.assistance.models import CaseEvent
        from minsheng.auth.models import ApiToken

        token_id = s.scalar(select(ApiToken.id).where(ApiToken.user_id == users["cw.a"][0]))
        for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case)):
            e.by = f"token:{token_id}"
        s.commit()
    with make_sessionmaker(engine)() as s:
        from minsheng.foundation.principals import staff

        same = staff(users["cw.a"][0], "cw.a", "caseworker", "540100")
        with pytest.raises(ForbiddenError):
            service.act(s, case, "approve", same)


def test_a_review_raising_the_amount_on_ones_own_figures_needs_another_caseworker(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    """Found by probing: one caseworker zeroed a household's incomes and reviewed its 低保 up
    (¥1,724.46 → ¥2,640) alone, and the next roll paid it. The figures' maker cannot be the
    review's checker when the review raises the amount; another caseworker can."""
    users = _users(engine)
    a = _bearer(app, users["cw.a"][1])
    b = _bearer(app, users["cw.b"][1])
    case = _checked(engine, world, a)
    r = b.post(f"/api/assistance/cases/{case}/actions", json={"action": "approve"})
    assert r.status_code == 200, r.text
    before = r.json()["monthly_amount"]
    today = dt.date.today().replace(day=1)
    months = [f"{(today - dt.timedelta(days=31 * i)).replace(day=1):%Y-%m}" for i in range(1, 13)]
    items = [
        {"person_id": world["head"], "month": m, "kind": "wage", "amount": "0"} for m in months
    ]
    r = a.post(f"/api/assistance/households/{world['household']}/incomes", json={"items": items})
    assert r.status_code in (200, 201), r.text
    r = a.post(f"/api/assistance/cases/{case}/actions", json={"action": "review"})
    assert r.status_code == 403 and r.json()["error"]["rule"] == "maker_checker", r.text
    with make_sessionmaker(engine)() as s:  # refused: nothing changed
        c = s.get(Case, case)
        assert c is not None and c.monthly_amount == before
    r = b.post(f"/api/assistance/cases/{case}/actions", json={"action": "review"})
    assert r.status_code == 200, r.text
    assert r.json()["monthly_amount"] > before
