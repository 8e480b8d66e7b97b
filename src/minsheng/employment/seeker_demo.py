"""Demo job seekers on top of the demo population (issue 14 point 10): a few hundred persons of
working age registered through the seekers' service, with varied profiles — occupations of the
2022 classification and the skills and certificates that go with them, counties (their own and a
neighbour of the same prefecture), languages (mostly Tibetan and Chinese), expected wages,
education — most consenting to be shown to employers, some graduates of this or last year, some
students or employed, some close to their re-confirmation day and some lapsed by the sweep.

Deterministic (a seeded random generator); seeding twice adds nothing (the demo tops the
pool up to :data:`TARGET` records at most).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import divisions
from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.seeker_schemas import ProfileIn
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person

TARGET = 300  # seekers the demo registers (at most: the working-age persons it finds)
# (occupation code, skills, certificates, wage range in yuan)
TRADES: tuple[tuple[str, list[str], list[str], tuple[int, int]], ...] = (
    ("6-29", ["砌筑", "钢筋绑扎", "混凝土浇筑", "电焊"], ["焊工证"], (4000, 8000)),
    ("6-28", ["电工", "配电运维", "光伏安装"], ["低压电工证", "高压电工证"], (4500, 8000)),
    ("4-03", ["藏餐烹饪", "面点制作", "客房服务"], ["健康证"], (2800, 5000)),
    ("4-02", ["驾驶", "仓储管理", "快递分拣"], ["驾驶证C1", "驾驶证B2"], (3500, 7000)),
    ("5-03", ["牦牛养殖", "挤奶", "牲畜防疫"], [], (2500, 4500)),
    ("5-01", ["青稞种植", "温室大棚管理"], [], (2500, 4000)),
    ("4-10", ["家政服务", "养老护理", "保育"], ["养老护理员证", "健康证"], (3000, 5500)),
    ("6-09", ["唐卡绘制", "藏香制作", "卡垫编织"], [], (3000, 6000)),
    ("4-04", ["电脑操作", "短视频运营", "网店客服"], [], (3500, 7000)),
    ("2-08", ["双语教学", "幼儿教育"], ["教师资格证"], (4500, 8000)),
    ("4-07", ["导游讲解", "景区服务"], ["导游证"], (3500, 6500)),
    ("4-14", ["护理", "藏医药"], ["护士执业证书"], (4000, 7500)),
)
EDUCATIONS = (
    ("junior", 25),
    ("senior", 20),
    ("vocational", 20),
    ("college", 15),
    ("bachelor", 12),
    ("primary", 6),
    ("master", 2),
)
LANGUAGES = ((["bo", "zh"], 65), (["zh"], 15), (["bo"], 12), (["bo", "zh", "en"], 8))


def _pick(rng: random.Random, table: tuple[tuple[object, int], ...]) -> object:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _neighbour(rng: random.Random, county: str) -> str | None:
    prefecture = divisions.get(county).prefecture_code
    near = (
        [c.code for c in divisions.counties(prefecture) if c.code != county] if prefecture else []
    )
    return rng.choice(near) if near else None


def seed_seeker(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Register up to :data:`TARGET` demo seekers; answers what was added."""
    rng = random.Random(14)
    room = TARGET - (session.scalar(select(func.count()).select_from(EmSeeker)) or 0)
    if room <= 0:
        return {"seekers": 0, "consenting": 0, "graduates": 0, "lapsed": 0}
    youngest = dt.date(today.year - 58, today.month, 1)
    oldest = dt.date(today.year - 17, 1, 1)
    people = session.scalars(
        select(Person)
        .where(
            Person.death_date.is_(None),
            Person.birth_date > youngest,
            Person.birth_date < oldest,
            Person.id.not_in(select(EmSeeker.person_id)),
        )
        .order_by(Person.id)
        .limit(room)
    ).all()
    counts = {"seekers": 0, "consenting": 0, "graduates": 0, "lapsed": 0}
    stale: list[EmSeeker] = []
    for person in people:
        seeker, opened = seeker_filing.open_for(session, person, by, today)
        if not opened:
            continue
        occupation, skills, certificates, (low, high) = rng.choice(TRADES)
        wanted = [occupation] + ([rng.choice(TRADES)[0]] if rng.random() < 0.4 else [])
        counties = [seeker.division_code]
        near = _neighbour(rng, seeker.division_code) if rng.random() < 0.5 else None
        if near:
            counties.append(near)
        consent = rng.random() < 0.8
        seekers.update_profile(
            session,
            seeker.id,
            ProfileIn(
                education=str(_pick(rng, EDUCATIONS)),
                skills=rng.sample(skills, k=rng.randint(1, len(skills))),
                certificates=rng.sample(certificates, k=rng.randint(0, len(certificates))),
                occupations=list(dict.fromkeys(wanted)),
                wage_min=str(rng.randrange(low, high + 1, 100)),
                counties=counties,
                languages=list(_pick(rng, LANGUAGES)),  # type: ignore[call-overload]
                available_from=today + dt.timedelta(days=rng.choice((0, 0, 7, 30))),
                consent=consent,
            ),
            by,
        )
        roll = rng.random()
        if roll < 0.15:
            seekers.set_status(
                session, seeker.id, "graduate", rng.choice((today.year - 1, today.year)), today, by,
                today,
            )  # fmt: skip
            counts["graduates"] += 1
        elif roll < 0.22:
            seekers.set_status(session, seeker.id, "student", None, today, by, today)
        elif roll < 0.30:
            seekers.set_status(session, seeker.id, "employed", None, today, by, today)
        age = rng.random()
        if age < 0.1:
            stale.append(seeker)  # not re-confirmed in time: the sweep lapses it
            seeker.confirmed_on = today - dt.timedelta(days=rng.randint(100, 200))
        elif age < 0.25:
            seeker.confirmed_on = today - dt.timedelta(days=rng.randint(70, 88))  # due soon
        counts["seekers"] += 1
        counts["consenting"] += int(consent)
    session.flush()
    if stale:
        counts["lapsed"] = seekers.lapse_stale(session, today, by)
    return counts


__all__ = ["TARGET", "seed_seeker"]
