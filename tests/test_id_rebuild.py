"""Issue 10 item 8: no view a role can see lets it rebuild an ID or a phone number.

Every GET route of the app (read from the app, so a new route is covered without a sample) is
called as every staff role and as a citizen. In every answer we look for each person's ID and
phone number, in full and masked. Then, per role and per person, we play the attacker: take
everything that role saw of that person, assume it also knows the person's **birth date, sex
and county** (the lists show them), and count the resident ID numbers consistent with all of it
under the GB 11643 checksum (6-digit division + 8-digit birth date + 3-digit sequence, odd for
men + check character). A masked view must leave at least ``MIN_CANDIDATES`` numbers (and as
many phone numbers) — the documented minimum in docs/security.md.

A full number may appear only where it is a deliberate, audited one-person read: the person
record (``GET /api/persons/{id}``) for a role holding ``registry:identify``, and a citizen's
own record on their own pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from minsheng.assistance import service as assistance
from minsheng.assistance.schemas import CaseIn
from minsheng.auth import service as auth
from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import PERMISSIONS, STAFF_ROLES, system
from minsheng.medical import service as medical
from minsheng.medical.schemas import BillIn
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, HouseholdIn, PersonIn
from minsheng.webkit.guards import SESSION_COOKIE, api_routes
from tests.conftest import make_app

MIN_CANDIDATES = 100  # docs/security.md, "Masking"
BY = system("test")
REGION = "540100"


@dataclass(frozen=True)
class Someone:
    id: int
    number: str
    phone: str | None
    sex: str
    birth: dt.date
    name: str


PEOPLE = [  # (birth, sequence, name, phone, relationship)
    (dt.date(1980, 5, 5), 11, "重建户主", "13912345678", "head"),
    (dt.date(1982, 7, 7), 22, "重建配偶", "0891-6321234", "spouse"),
    (dt.date(2015, 3, 3), 33, "重建孩子", None, "child"),
    (dt.date(1950, 1, 9), 45, "重建邻居", "13800001111", None),
]


def build(engine: Engine) -> tuple[dict[str, Any], list[Someone]]:
    w: dict[str, Any] = {}
    people: list[Someone] = []
    with make_sessionmaker(engine)() as s:
        h = registry.create_household(
            s, HouseholdIn(code="RB-1", division_code="540102", area="urban"), BY
        )
        for birth, seq, name, phone, rel in PEOPLE:
            number = ids.make_resident_id("540102", birth, seq)
            p = registry.create_person(
                s,
                PersonIn(
                    id_number=number,
                    name_zh=name,
                    hukou="urban",
                    phone=phone,
                    household_code="RB-1" if rel else None,
                    relationship=rel,
                ),
                BY,
            )
            people.append(Someone(p.id, number, p.phone, p.sex, p.birth_date, name))
            add_enrolment(
                s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
            )
        create_facility(s, FacilityIn(code="H54010200088", name="重建测试医院", level=2), BY)
        bill = {
            "patient": {"id_number": people[0].number},
            "facility_code": "H54010200088",
            "visit": "outpatient",
            "service_date": dt.date.today().isoformat(),
            "lines": [{"code": "A1", "category": "甲", "unit_price": "100.00"}],
        }
        settled = medical.settle(s, BillIn.model_validate(bill), BY)
        case = assistance.open_case(s, CaseIn(household_id=h.id, programme="dibao"), BY)
        assistance.act(s, case.id, "check", BY)
        tokens = {}
        for role in STAFF_ROLES:
            user = create_user(s, BY, f"rb.{role}", "correct-horse-1", role, REGION)
            raw, _ = create_token(s, BY, user.id, "rb", sorted(PERMISSIONS[role]))
            tokens[role] = raw
        w.update(
            household_id=h.id,
            person_id=people[0].id,
            settlement_id=settled.id,
            case_id=case.id,
            tokens=tokens,
            citizen=auth.open_session(s, 1, person=s.get(type(h.members[0]), people[0].id)).token,
        )
        s.commit()
    return w, people


PARAMS = {
    "code": "540102",
    "path": "medical.assistance.annual_cap.ordinary",
    "year": dt.date.today().year,
}


def get_routes(app: FastAPI, w: dict[str, Any]) -> list[tuple[str, str]]:
    """(template, url) for every GET route; ``{x_id}`` from the world (1 when unknown)."""
    out = []
    for r in api_routes(app):
        if "GET" not in (r.methods or set()):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", r.path)
        values = {}
        for n in names:
            if n in w:
                values[n] = w[n]
            elif n in PARAMS:
                values[n] = PARAMS[n]
            else:
                assert n.endswith("_id"), f"{r.path}: no value for {{{n}}} in this test"
                values[n] = 1
        url = r.path
        for n, v in values.items():
            url = re.sub("{" + n + r"(?::\w+)?}", str(v), url)
        out.append((r.path, url))
    return out


ID_MASK = re.compile(r"(?<![0-9X*])[0-9X*]{15,18}(?![0-9X*])")
PHONE_MASK = re.compile(r"(?<![0-9*])[0-9*][0-9*-]{6,12}(?![0-9*])")


def _fits(mask: str, truth: str) -> bool:
    return len(mask) == len(truth) and all(m in ("*", t) for m, t in zip(mask, truth, strict=True))


def id_candidates(p: Someone, masks: set[str]) -> int:
    """ID numbers consistent with every mask seen, given the birth date, sex and county."""
    known = {i: c for m in masks for i, c in enumerate(m) if c != "*"}
    division, born = p.number[:6], p.birth.strftime("%Y%m%d")
    n = 0
    for seq in range(1000):
        if (seq % 2 == 1) != (p.sex == "M"):
            continue
        first17 = f"{division}{born}{seq:03d}"
        full = first17 + ids.id_check_char(first17)
        n += all(full[i] == c for i, c in known.items())
    return n


def phone_candidates(p: Someone, masks: set[str]) -> int:
    assert p.phone is not None
    known = {i for m in masks for i, c in enumerate(m) if c != "*"}
    hidden = sum(1 for i, c in enumerate(p.phone) if c.isdigit() and i not in known)
    return int(10**hidden)


def full_id_allowed(who: str, template: str, p: Someone, people: list[Someone]) -> bool:
    if who == "citizen":  # their own record, on their own pages
        return p.id == people[0].id and template in ("/me", "/api/me/household")
    return template == "/api/persons/{person_id}" and "registry:identify" in PERMISSIONS[who]


def test_no_role_can_rebuild_an_id_or_phone_number(engine: Engine) -> None:
    app = make_app(engine)
    assert isinstance(app, FastAPI)
    w, people = build(engine)
    callers: dict[str, TestClient] = {}
    for role, raw in w["tokens"].items():
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {raw}"
        callers[role] = c
    citizen = TestClient(app)
    citizen.cookies.set(SESSION_COOKIE, w["citizen"])
    callers["citizen"] = citizen
    routes = get_routes(app, w)
    # every person (and the household) can be reached through some route for some role
    urls = [(t, u) for t, u in routes] + [
        (f"/api/persons/{{person_id}}#{p.id}", f"/api/persons/{p.id}") for p in people[1:]
    ]
    problems: list[str] = []
    seen_masks = 0
    for who, c in callers.items():
        id_masks: dict[int, set[str]] = {p.id: set() for p in people}
        phone_masks: dict[int, set[str]] = {p.id: set() for p in people}
        for template, url in urls:
            r = c.get(url, follow_redirects=False)
            if r.status_code >= 500:
                problems.append(f"{who} GET {url}: {r.status_code}")
                continue
            text = r.text
            template = template.split("#")[0]
            id_seen = set(ID_MASK.findall(text))
            phone_seen = set(PHONE_MASK.findall(text))
            for p in people:
                if p.number in text and not full_id_allowed(who, template, p, people):
                    problems.append(f"{who} GET {url}: full ID number of {p.name}")
                shown = p.phone and (p.phone in text or p.phone.replace("-", "") in text)
                if shown and not full_id_allowed(who, template, p, people):
                    problems.append(f"{who} GET {url}: full phone number of {p.name}")
                id_masks[p.id] |= {m for m in id_seen if "*" in m and _fits(m, p.number)}
                if p.phone:
                    phone_masks[p.id] |= {m for m in phone_seen if "*" in m and _fits(m, p.phone)}
        for p in people:
            seen_masks += len(id_masks[p.id])
            n = id_candidates(p, id_masks[p.id])
            if n < MIN_CANDIDATES:
                problems.append(
                    f"{who}: {p.name}'s ID rebuilt to {n} candidates from {sorted(id_masks[p.id])}"
                )
            if p.phone and phone_masks[p.id]:
                n = phone_candidates(p, phone_masks[p.id])
                if n < MIN_CANDIDATES:
                    problems.append(f"{who}: {p.name}'s phone narrowed to {n} candidates")
    assert seen_masks > 0, "no masked number was seen at all: the test is not looking"
    assert not problems, "\n".join(problems)


def test_the_full_number_is_an_audited_one_person_read(engine: Engine) -> None:
    """The caseworker's detail read shows the number and leaves an audit entry naming the
    person; the cashier's shows it masked — it has the patient's card in hand at the window."""
    app = make_app(engine)
    w, people = build(engine)
    cw = TestClient(app)  # type: ignore[arg-type]
    cw.headers["Authorization"] = f"Bearer {w['tokens']['caseworker']}"
    cashier = TestClient(app)  # type: ignore[arg-type]
    cashier.headers["Authorization"] = f"Bearer {w['tokens']['cashier']}"
    p = people[1]
    body = cw.get(f"/api/persons/{p.id}").json()
    assert body["id_number"] == p.number and body["phone"] == p.phone
    with make_sessionmaker(engine)() as s:
        reads = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "read",
                AuditEntry.resource == "person",
                AuditEntry.record_id == str(p.id),
            )
        ).all()
        assert any(e.role == "caseworker" for e in reads)
    body = cashier.get(f"/api/persons/{p.id}").json()
    assert body["id_number"] != p.number and "*" in body["id_number"]
    assert body["phone"] != p.phone
    listed = cw.get("/api/persons").json()["items"]
    assert all(x["id_number"].count("*") >= 12 for x in listed)


def test_the_candidate_count_catches_the_old_mask() -> None:
    """The attacker model is sharp enough: the old mask (first 4 + last 4) beside a birth date
    leaves exactly one number; the new one leaves 500."""
    number = ids.make_resident_id("540102", dt.date(1980, 5, 5), 11)
    p = Someone(1, number, None, "M", dt.date(1980, 5, 5), "x")
    assert id_candidates(p, {number[:4] + "*" * 10 + number[-4:]}) == 1
    assert id_candidates(p, {ids.mask_id(number)}) == 500
