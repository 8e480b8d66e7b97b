"""The database sink: the generated population, bulk-inserted into the registry.

``write(engine, people, seed)`` generates partitions (``generator.generate``), gives every
person a name, a valid resident ID (some still carrying retired division codes, as older IDs
do), a phone and a birth date, and inserts households, persons, employers (valid credit codes),
medical facilities, scheme enrolments and special statuses with Core bulk inserts in chunks.
ID and phone numbers go through the ``Encrypted`` column type on the way in; their lookup hashes
and masks are computed here. Extensions registered for the ``"database"`` sink run on each
partition and write their own rows through their ``write`` hook.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, insert, select

from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError
from minsheng.core.statuses import GROUPS
from minsheng.db import Base
from minsheng.foundation.crypto import lookup_hash
from minsheng.population.extensions import extend, registered
from minsheng.population.generator import (
    RELATIONSHIPS,
    SCHEMES,
    Partition,
    assumptions,
    generate,
    geography,
)
from minsheng.registry.models import Employer, Enrolment, Facility, Household, Person, SpecialStatus

ProgressFn = Callable[[str, int, int], None]
_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"))


@dataclass
class Report:
    people: int
    households: int
    employers: int
    facilities: int
    enrolments: int
    statuses: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


@functools.cache
def _retired_for_current() -> dict[str, str]:
    """Current county code → the (first) retired code that older IDs of it may carry."""
    rows = resources.files("minsheng.core.data").joinpath("xizang_retired_codes.csv")
    out: dict[str, str] = {}
    for line in rows.read_text("utf-8").splitlines()[1:]:
        retired, _, current, _ = line.split(",", 3)
        if divisions.get(current).level == "county":
            out.setdefault(current, retired)
    return out


def _next_id(conn: Connection, model: Any) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def birth_dates(rng: np.random.Generator, age: np.ndarray, today: dt.date) -> np.ndarray:
    """A birth date (datetime64[D]) for each whole-year ``age`` on ``today``: the person is
    exactly ``age`` (周岁) that day, and born before it."""

    def latest(years: int) -> np.datetime64:  # the last birth date giving ``years`` on ``today``
        try:
            day = today.replace(year=today.year - years)
        except ValueError:  # 29 February in a year without one
            day = today.replace(year=today.year - years, day=28)
        return np.datetime64(min(day, today - dt.timedelta(days=1)), "D")

    top = int(age.max()) if len(age) else 0
    table = np.array([latest(y) for y in range(top + 1)], dtype="datetime64[D]")
    back = rng.integers(0, 365 - (age == 0), len(age))  # newborns: at least a day old
    out: np.ndarray = table[age] - back.astype("timedelta64[D]")
    return out


def resident_ids(
    rng: np.random.Generator,
    county: np.ndarray,
    birth: np.ndarray,
    male: np.ndarray,
    seen: set[int],
) -> list[str]:
    """Unique valid resident IDs; a share (``identity.retired_id_share``) of people born before
    2015 carry their county's retired code. ``seen`` (the 17-digit bodies already given out)
    is updated."""
    n = len(county)
    retired = _retired_for_current()
    old = (rng.random(n) < assumptions()["identity"]["retired_id_share"]) & (
        birth < np.datetime64("2015-01-01")
    )
    code = np.array([retired.get(c, c) if o else c for c, o in zip(county, old, strict=True)])
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "").astype(np.int64)
    head = code.astype(np.int64) * 10**8 + ymd
    k = rng.integers(0, 500, n).astype(np.int64)
    k0 = k.copy()
    todo = np.arange(n)
    body = np.zeros(n, dtype=np.int64)
    while len(todo):
        if (k[todo] - k0[todo] >= 500).any():
            raise ValueError("more than 500 people of one sex born on one day in one county")
        b = head[todo] * 1000 + 2 * (k[todo] % 500) + male[todo]
        _, first = np.unique(b, return_index=True)
        clash = np.ones(len(todo), dtype=bool)
        clash[first] = False  # the first of equal numbers keeps it
        clash |= np.fromiter((int(x) in seen for x in b), bool, len(b))
        body[todo[~clash]] = b[~clash]
        seen.update(b[~clash].tolist())
        todo = todo[clash]
        k[todo] += 1
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1)) % 10
    check = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11]
    return [f"{b}{c}" for b, c in zip(body.tolist(), check.tolist(), strict=True)]


def _facilities(f0: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in geography().codes:
        name = divisions.get(c).name_zh
        out.append(
            {"code": f"H{c}00001", "name": f"{name}人民医院", "level": 2, "division_code": c}
        )
        out.append(
            {"code": f"H{c}00002", "name": f"{name}卫生服务中心", "level": 1, "division_code": c}
        )
    for p in divisions.prefectures():
        seat = divisions.counties(p.code)[0].code
        out.append(
            {
                "code": f"H{seat}00100",
                "name": f"{p.name_zh}人民医院",
                "level": 3,
                "division_code": seat,
            }
        )
    for j, f in enumerate(out):
        f["id"] = f0 + j
    return out


def _employers(rng: np.random.Generator, n_emp: int, seed: int, e0: int) -> list[dict[str, Any]]:
    geo = geography()
    county = rng.choice(len(geo.codes), size=n_emp, p=geo.weight)
    rows = []
    for j in range(n_emp):
        c = geo.codes[int(county[j])]
        rows.append(
            {
                "id": e0 + j,
                "credit_code": ids.make_credit_code(c, seed * 10**6 + j),
                "name": f"{divisions.get(c).name_zh}示范单位{j + 1:04d}",
                "division_code": c,
            }
        )
    return rows


def rows(
    part: Partition, rng: np.random.Generator, h0: int, p0: int, e0: int, n_emp: int,
    seen: set[int], code_prefix: str,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """The registry rows of one partition (ids from ``h0`` / ``p0``; employers ``e0``…)."""
    a = assumptions()
    idn = a["identity"]
    h, ps = part.households, part.persons
    n, n_h = len(ps["age"]), len(h["members"])
    hh, age = ps["household"], ps["age"]
    county = h["county"][hh]
    urban = h["area"][hh] == 0
    birth = birth_dates(rng, age, part.today)
    numbers = resident_ids(rng, county, birth, ps["male"], seen)
    names = idn["names"]
    tib, hsur, hgiv = names["tibetan"], names["han_surnames"], names["han_given"]
    han = rng.random(n) < idn["han_share"]
    t1, t2 = rng.integers(0, len(tib), n), rng.integers(0, len(tib), n)
    s1, g1 = rng.integers(0, len(hsur), n), rng.integers(0, len(hgiv), n)
    has_phone = (age >= idn["phone_min_age"]) & (rng.random(n) < idn["phone_rate"])
    prefixes = np.array(idn["phone_prefixes"])[rng.integers(0, len(idn["phone_prefixes"]), n)]
    phone_digits = rng.integers(0, 10**8, n)
    emp_pick = rng.integers(0, n_emp, n)
    lo, hi = idn["certificate_expiry_days"]
    expiry = rng.integers(lo, hi + 1, n)
    start = np.datetime64(idn["enrolment_start"], "D")
    since = np.maximum(birth, start).astype(dt.date)
    birth_d = birth.astype(dt.date)

    households = [
        {
            "id": h0 + i,
            "code": f"{code_prefix}{int(h['household_id'][i]) + 1:08d}",
            "division_code": c,
            "area": "urban" if area == 0 else "rural",
            "address": None,
        }
        for i, (c, area) in enumerate(zip(h["county"].tolist(), h["area"].tolist(), strict=True))
    ]
    persons = []
    sex, rel = ps["male"].tolist(), ps["relationship"].tolist()
    for i in range(n):
        if han[i]:
            name_zh, name_bo = hsur[s1[i]] + hgiv[g1[i]], None
        else:
            (a1, b1), (a2, b2) = tib[t1[i]], tib[t2[i]]
            name_zh, name_bo = a1 + a2, f"{b1}་{b2}"
        number = numbers[i]
        phone = f"{prefixes[i]}{phone_digits[i]:08d}" if has_phone[i] else None
        persons.append(
            {
                "id": p0 + i,
                "id_number": number,  # encrypted by the column type
                "id_hash": lookup_hash(number),
                "id_masked": ids.mask_id(number),
                "name_zh": name_zh,
                "name_bo": name_bo,
                "sex": "M" if sex[i] else "F",
                "birth_date": birth_d[i],
                "division_code": county[i],
                "hukou": "urban" if urban[i] else "rural",
                "phone": phone,
                "phone_hash": lookup_hash(phone) if phone else None,
                "phone_masked": ids.mask_phone(phone),
                "household_id": h0 + int(hh[i]),
                "relationship_to_head": RELATIONSHIPS[rel[i]],
            }
        )
    scheme = ps["scheme"]
    pooling = {c: divisions.get(c).parent_code for c in geography().codes}
    enrolments = [
        {
            "person_id": p0 + i,
            "scheme": SCHEMES[scheme[i]],
            "start_date": since[i],
            "end_date": None,
            "employer_id": e0 + int(emp_pick[i]) if scheme[i] == 0 else None,
            "pooling_region": pooling[county[i]],
        }
        for i in np.flatnonzero(scheme >= 0).tolist()
    ]
    statuses: list[dict[str, Any]] = []

    def status(i: int, kind: str, **extra: Any) -> None:
        statuses.append(
            {
                "person_id": p0 + i,
                "kind": kind,
                "start_date": since[i],
                "end_date": None,
                "disability_grade": None,
                "certificate_no": None,
                "certificate_expiry": None,
                **extra,
            }
        )

    group, ret = h["group"][hh], h["poverty_return"][hh]
    border, grade = ps["border"], ps["grade"]
    for i in np.flatnonzero((group > 0) | ret | border | (grade > 0)).tolist():
        g = int(group[i])
        if g in (1, 2, 3):  # 特困 / 低保 / 边缘: one of them, by precedence
            status(i, GROUPS[g])
        if ret[i]:
            status(i, "poverty_return")
        if border[i]:
            status(i, "border")
        if grade[i]:
            gr = int(grade[i])
            status(
                i,
                "disability",
                disability_grade=gr,
                certificate_no=f"{numbers[i]}{gr}{gr}",
                certificate_expiry=part.today + dt.timedelta(days=int(expiry[i])),
            )
    assert n_h == len(households)
    return {
        "households": households,
        "persons": persons,
        "enrolments": enrolments,
        "statuses": statuses,
    }


def _chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for k in range(0, len(items), size):
        yield items[k : k + size]


def write(
    engine: Engine,
    people: int = 2000,
    seed: int = 1,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
    chunk: int = 20_000,
    partition_size: int = 250_000,
) -> Report:
    """Generate ``people`` persons in households and insert them. Refuses a non-empty registry."""
    import time

    t0 = time.perf_counter()
    today = today or dt.date.today()
    with engine.connect() as conn:
        if conn.scalar(select(func.count(Person.id))):
            raise ConflictError(
                "database",
                "not_empty",
                "数据库中已有人员，演示数据只写入空库",
                "the registry already holds people; demo data goes into an empty one",
                "གཞི་གྲངས་མཛོད་ནང་མི་ཡོད་འདུག",
            )
        h0, p0 = _next_id(conn, Household), _next_id(conn, Person)
        e0, f0 = _next_id(conn, Employer), _next_id(conn, Facility)
    sink_rng = np.random.default_rng([seed, 1_000_003])  # employers: not per partition
    n_emp = max(7, people // int(assumptions()["identity"]["people_per_employer"]))
    employers = _employers(sink_rng, n_emp, seed, e0)
    facilities = _facilities(f0)
    parts = max(1, -(-people // partition_size))
    seen: set[int] = set()
    done = total = n_h = n_p = n_en = n_st = 0
    with engine.begin() as conn:
        for table, items in ((_table(Employer), employers), (_table(Facility), facilities)):
            for piece in _chunks(items, chunk):
                conn.execute(insert(table), piece)
        first_h = first_p = 0
        for k in range(parts):
            size = min(partition_size, people - first_p)
            part = generate(size, seed, k, today, first_h, first_p)
            extend(part, "database")
            rng = np.random.default_rng([seed, k, 1_000_003])  # the sink's own draws
            out = rows(part, rng, h0 + first_h, p0 + first_p, e0, n_emp, seen, f"D{seed:03d}")
            total = sum(map(len, out.values())) + (parts - k - 1) * size + done
            for name, model in (
                ("households", Household),
                ("persons", Person),
                ("enrolments", Enrolment),
                ("statuses", SpecialStatus),
            ):
                for piece in _chunks(out[name], chunk):
                    conn.execute(insert(_table(model)), piece)
                    done += len(piece)
                    if progress:
                        progress(_table(model).name, done, total)
            ids_of = {
                "households": h0 + part.households["household_id"],
                "persons": p0 + part.persons["person_id"],
            }
            for ext in registered("database"):
                if ext.write:
                    ext.write(conn, part, ids_of)
            n_h += len(out["households"])
            n_p += len(out["persons"])
            n_en += len(out["enrolments"])
            n_st += len(out["statuses"])
            first_h += len(part.households["household_id"])
            first_p += size
        if conn.dialect.name == "postgresql":
            for t in ("households", "persons", "employers", "facilities"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                )
    return Report(
        people=n_p,
        households=n_h,
        employers=n_emp,
        facilities=len(facilities),
        enrolments=n_en,
        statuses=n_st,
        seconds=round(time.perf_counter() - t0, 2),
    )
