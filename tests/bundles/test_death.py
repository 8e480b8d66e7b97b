"""身后一件事 (issue 12 point 9, death of a pensioner) end to end on both databases: a retiree
(awarded through the retirement bundle, paid June–September 2025) dies on 20 July; one
application records the death, stops the pension from the next day with the August and
September payments as the overpayment (a recovery case, deducted from the survivors'
allowance first), pays the funeral grant and survivors' allowance of 人社部发〔2021〕18号, the
inheritable account balance, and re-determines the household's 低保 on the members alive.
A death of a person in no pension scheme is refused and records nothing — not even the death."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, select

from minsheng.assistance import service as assistance
from minsheng.assistance.models import Case
from minsheng.assistance.schemas import CaseIn
from minsheng.bundles import service
from minsheng.bundles.schemas import DeathIn, RetirementIn
from minsheng.cards import service as cards
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import staff, system
from minsheng.pensions.models import PnAward
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import HouseholdIn
from tests.assistance.conftest import monthly_income
from tests.bundles.kit import BY, TODAY, changed, counts, employer, person, retiring
from tests.pensions.award_kit import luhn_account
from tests.pensions.test_roll import roll

LHASA = staff(8, "拉萨经办", "caseworker", "540100")
DIED = dt.date(2025, 7, 20)
LATER = dt.date(2025, 10, 6)


def _household_on_dibao(s: object) -> tuple[int, int, int]:
    """A household of a retiring worker and his spouse (no income), on 低保."""
    h = registry.create_household(
        s,  # type: ignore[arg-type]
        HouseholdIn(code="BD-1", division_code="540102", area="urban"),
        BY,
    )
    pid = retiring(s, 1, household="BD-1")  # type: ignore[arg-type]
    spouse = person(s, 2, born=dt.date(1966, 2, 2), household="BD-1", relationship="spouse")  # type: ignore[arg-type]
    monthly_income(s, h.id, spouse, "0", today=dt.date(2025, 6, 1))
    return h.id, pid, spouse


def test_death_of_a_pensioner_settles_everything_at_once(engine: Engine, tmp_path: Path) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        employer(s)
        household, pid, _ = _household_on_dibao(s)
        card = cards.apply(s, pid, "540102", BY, TODAY)
        cards.link_bank(s, card.id, "中国银行", luhn_account(pid), BY)
        done, _ = service.apply(s, "retirement", RetirementIn(person_id=pid), BY, today=TODAY)
        assert done.state == "done"
        case = assistance.open_case(
            s, CaseIn(household_id=household, programme="dibao"), BY, dt.date(2025, 6, 2)
        )
        assistance.act(s, case.id, "check", BY, today=dt.date(2025, 6, 2))
        assistance.act(s, case.id, "notice", BY, today=dt.date(2025, 6, 3))
        assistance.act(s, case.id, "approve", system("approver"), today=dt.date(2025, 6, 30))
        assert case.state == "approved"
        case_id = case.id
    for month in ("2025-06", "2025-07", "2025-08", "2025-09"):
        roll(engine, month, tmp_path)
    with unit_of_work(factory) as s:
        award = s.scalar(select(PnAward).where(PnAward.person_id == pid))
        assert award is not None
        monthly, account_part = (
            award.monthly,
            next(int(x["amount"]) for x in json.loads(award.parts) if x["name"] == "account"),
        )
        bundle, new = service.apply(
            s, "death", DeathIn(person_id=pid, died_on=DIED), LHASA, today=LATER
        )
        assert new and bundle.state == "done", bundle.error
        out = service.bundle_out(s, bundle)
        got = {p["name"]: p for p in out["parts"]}
        assert [(p["name"], p["state"]) for p in out["parts"]] == [
            ("registry", "done"),
            ("pension", "done"),
            ("funeral", "done"),
            ("survivors", "done"),
            ("account", "done"),
            ("assistance", "done"),
        ]
        dead = s.get(Person, pid)
        assert dead is not None and dead.death_date == DIED
        s.refresh(award)
        assert award.state == "terminated" and award.terminated_on == dt.date(2025, 7, 21)
        assert award.overpaid == 2 * monthly  # August and September were paid after the death
        assert got["pension"]["result"]["recovery_id"] is not None
        # by hand: base 51,900 元 (2023's urban disposable income per head, in force in 2025)
        # ÷ 12 = 4,325 元; funeral 2 months = 8,650 元; 180 months = 15 years → 9 months
        assert got["funeral"]["result"]["amount_fen"] == 865_000
        assert got["survivors"]["result"]["amount_fen"] == 3_892_500
        assert got["survivors"]["result"]["deducted"] == f"{2 * monthly / 100:.2f}"
        paid_account = 2 * account_part  # June and July drew the account part
        assert got["account"]["result"]["amount_fen"] == 15_000_000 - paid_account
        moved = got["assistance"]["result"]["cases"]
        assert [(c["case_id"], c["programme"], c["state"]) for c in moved] == [
            (case_id, "dibao", "approved")
        ]
        # the spouse alone, with no income: half the two-member allowance (880 → 440 元)
        assert (moved[0]["before"], moved[0]["after"]) == (88_000, 44_000)
        reviewed = s.get(Case, case_id)
        assert reviewed is not None
        assert (reviewed.state, reviewed.monthly_amount if reviewed.state == "approved" else 0) == (
            moved[0]["state"],
            moved[0]["after"],
        )


def test_a_death_with_nothing_to_settle_is_refused_and_records_nothing(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 31, born=dt.date(1950, 1, 1))  # in no pension scheme
        rows = counts(s)
        bundle, _ = service.apply(
            s, "death", DeathIn(person_id=pid, died_on=DIED), LHASA, today=LATER
        )
        assert bundle.state == "refused"
        error = json.loads(bundle.error or "{}")
        assert (error["part"], error["field"]) == ("pension", "person_id")
        assert changed(rows, counts(s)) == {}
        s.expire_all()
        alive = s.get(Person, pid)
        assert alive is not None and alive.death_date is None  # the registry part was undone
