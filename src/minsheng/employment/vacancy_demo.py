"""Demo vacancies and hire filings on top of the demo population (its persons and employers):
about 200 published vacancies across the prefectures from the demo employers, a few refused
ones (below the minimum wage, a deposit asked), and hires — filed on time, filed late, still
due and overdue — and a demo recruiter ``lhasa.recruiter`` bound to a Lhasa employer.

Deterministic: the same database and ``today`` give the same records. Everything goes through
the services (rules, audit), as the platform's own users would."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth import employers as firm_users
from minsheng.auth.models import User
from minsheng.auth.users import create_user
from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.employment.vacancy_schemas import VacancyIn
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer, Person

RECRUITER = ("lhasa.recruiter", "540100", "拉萨某酒店招聘专员")
TITLES = {  # occupation (middle group) → titles, monthly wage range in yuan
    "4-01": (["营业员", "超市收银员", "藏药店导购"], 2600, 4500),
    "4-02": (["快递员", "货车司机", "仓库管理员"], 3500, 7000),
    "4-03": (["酒店前台接待员", "藏餐厨师", "餐厅服务员", "客房服务员"], 2800, 6500),
    "4-04": (["网络运维员", "软件测试员"], 5000, 9000),
    "4-07": (["导游", "旅行社计调"], 3500, 8000),
    "4-10": (["保洁员", "家政服务员", "养老护理员"], 2400, 4200),
    "5-01": (["青稞种植技术员", "温室大棚工"], 2800, 4800),
    "5-03": (["牦牛养殖员", "饲养员"], 2600, 4500),
    "6-02": (["酥油茶加工工", "青稞酒酿造工"], 2800, 5000),
    "6-05": (["藏毯编织工", "藏装缝纫工"], 2600, 5200),
    "6-09": (["唐卡绘制学徒", "尼木藏香制作工"], 2500, 6000),
    "6-28": (["电工", "光伏电站运维员"], 4500, 8500),
    "6-29": (["建筑瓦工", "钢筋工", "木工"], 4000, 9000),
    "6-30": (["挖掘机司机", "装载机司机"], 5000, 9500),
    "2-05": (["护士", "藏医医师"], 5000, 11000),
    "2-08": (["幼儿园教师", "职业学校教师"], 4500, 8500),
}
REFUSED = (
    ("保安员", "3-02", "1900.00", "夜班，包住宿"),  # below the minimum wage
    ("商场促销员", "4-01", "3000.00", "入职需交押金500元"),  # a deposit
    ("学徒工", "6-05", "2500.00", "先交培训费800元"),  # a training fee
    ("司机", "4-02", "4000.00", "入职时扣押身份证原件"),  # keeping the ID card
    ("服务员", "4-03", "2600.00", "收取服装费200元"),  # a clothing fee
    ("厨师", "4-03", "2050.00", "会做藏餐"),  # below the minimum wage
)


def _employers(session: Session) -> list[Employer]:
    """The demo employers in Tibetan counties, spread over the prefectures (in id order)."""
    rows = session.scalars(
        select(Employer).where(Employer.division_code.like("54%")).order_by(Employer.id)
    ).all()
    by_prefecture: dict[str, list[Employer]] = {}
    for e in rows:
        by_prefecture.setdefault(e.division_code[:4], []).append(e)
    mixed: list[Employer] = []
    while any(by_prefecture.values()):
        for group in by_prefecture.values():
            if group:
                mixed.append(group.pop(0))
    return [e for e in mixed if _is_county(e.division_code)]


def _is_county(code: str) -> bool:
    try:
        return divisions.get(code).level == "county"
    except MinshengError:
        return False


def _recruiter(session: Session, employer_id: int, by: Principal, password: str) -> int:
    username, region, name = RECRUITER
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(session, by, username, password, "employer", region, name)
    firm_users.bind(session, user.id, employer_id, by)
    return user.id


def seed_vacancy(
    session: Session, by: Principal, today: dt.date, password: str = "minsheng-demo"
) -> dict[str, int]:
    """Add the area's demo records; how many of each were made."""
    rng = random.Random(14_03)
    firms = _employers(session)
    if not firms:
        return {"vacancies": 0, "refused": 0, "hires": 0, "late": 0, "due": 0}
    made: list[EmVacancy] = []
    codes = sorted(TITLES)
    for i in range(200):
        firm = firms[i % len(firms)]
        code = codes[rng.randrange(len(codes))]
        titles, low, high = TITLES[code]
        lo = rng.randrange(max(low, 2100), high, 100)
        data = VacancyIn(
            employer_id=firm.id,
            title=titles[rng.randrange(len(titles))],
            occupation=code,
            count=rng.choice((1, 1, 2, 3, 5, 8, 10, 20)),
            wage_min=f"{lo}.00",
            wage_max=f"{lo + rng.randrange(0, 3000, 100)}.00",
            division_code=firm.division_code,
            education=rng.choice((None, "junior", "senior", "vocational", "college")),
            skills=rng.sample(["普通话", "藏语", "驾驶证", "电工证", "健康证", "计算机"], 2),
            languages=rng.choice((["zh"], ["bo", "zh"], ["bo"])),
            requirements=rng.choice(("能吃苦耐劳", "有相关经验者优先", "包吃住，五险一金")),
            closing_on=today + dt.timedelta(days=rng.randrange(10, 150)),
        )
        v = vacancies.create_vacancy(session, data, by, today)
        vacancies.publish(session, v.id, by, today)
        made.append(v)
    refused = 0
    for n, (title, code, wage, note) in enumerate(REFUSED):
        firm = firms[n % len(firms)]
        data = VacancyIn(
            employer_id=firm.id,
            title=title,
            occupation=code,
            count=2,
            wage_min=wage,
            wage_max=wage,
            division_code=firm.division_code,
            requirements=note,
            closing_on=today + dt.timedelta(days=30),
        )
        v = vacancies.create_vacancy(session, data, by, today)
        try:
            vacancies.publish(session, v.id, by, today)
        except MinshengError as err:
            for work in err.after_rollback:  # what the unit of work would keep
                work(session)
            refused += 1
    counts = _hires(session, rng, made, by, today)
    lhasa = [v.employer_id for v in made if v.division_code.startswith("5401")]
    _recruiter(session, (lhasa or [made[0].employer_id])[0], by, password)
    return {"vacancies": len(made), "refused": refused, **counts}


def _hires(
    session: Session, rng: random.Random, made: list[EmVacancy], by: Principal, today: dt.date
) -> dict[str, int]:
    adults = session.scalars(
        select(Person)
        .where(Person.death_date.is_(None))
        .where(Person.birth_date <= today.replace(year=today.year - 18))
        .where(Person.birth_date >= today.replace(year=today.year - 55))
        .order_by(Person.id)
        .limit(400)
    ).all()
    out = {"hires": 0, "late": 0, "due": 0}
    for n, person in enumerate(adults[:150]):
        v = made[(n * 7) % len(made)]
        if v.filled >= v.count:
            continue
        hired = today - dt.timedelta(days=rng.randrange(1, 90))
        kind = n % 10  # 0–5 filed on time, 6–7 filed late, 8–9 still due (some overdue)
        file_now = kind <= 5
        h = hires.record_hire(
            session,
            v.employer_id,
            person.id_number,
            v.id,
            None,
            hired,
            by,
            min(today, hired + dt.timedelta(days=rng.randrange(0, 25))) if file_now else today,
            file=file_now,
        )
        out["hires"] += 1
        if kind in (6, 7):
            late_day = h.file_by + dt.timedelta(days=rng.randrange(1, 20))
            if late_day <= today:
                hires.file_hire(session, h.id, by, late_day)
                out["late"] += 1
            else:
                out["due"] += 1
        elif kind >= 8:
            out["due"] += 1
    return out


__all__ = ["seed_vacancy"]
