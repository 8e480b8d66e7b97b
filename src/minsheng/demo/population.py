"""A deterministic synthetic population of the 7 prefectures, written straight to the database.

``seed(engine, people=N, seed=S)`` builds households, persons with valid resident IDs (some
still carrying retired division codes), employers with valid credit codes, medical facilities,
scheme enrolment and special statuses at rates near POLICY.md's (``assumptions.yaml``). The
same seed gives the same population. Rows are generated with numpy and written with bulk
inserts in chunks, so 100,000 people take seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml
from sqlalchemy import Engine, Table, func, insert, select

from minsheng.auth.crypto import lookup_hash
from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError
from minsheng.db import Base
from minsheng.registry.models import (
    Employer,
    Enrolment,
    Facility,
    Household,
    Person,
    SpecialStatus,
)

TIBETAN_NAMES = [  # (Chinese transliteration, Tibetan)
    ("扎西", "བཀྲ་ཤིས"),
    ("次仁", "ཚེ་རིང"),
    ("卓玛", "སྒྲོལ་མ"),
    ("央金", "དབྱངས་ཅན"),
    ("多吉", "རྡོ་རྗེ"),
    ("拉姆", "ལྷ་མོ"),
    ("平措", "ཕུན་ཚོགས"),
    ("德吉", "བདེ་སྐྱིད"),
    ("格桑", "སྐལ་བཟང"),
    ("尼玛", "ཉི་མ"),
    ("达瓦", "ཟླ་བ"),
    ("旺堆", "དབང་འདུས"),
    ("普布", "ཕུར་བུ"),
    ("巴桑", "པ་སངས"),
    ("边巴", "སྤེན་པ"),
    ("索朗", "བསོད་ནམས"),
    ("措姆", "མཚོ་མོ"),
    ("曲珍", "ཆོས་སྒྲོན"),
    ("白玛", "པདྨ"),
    ("顿珠", "དོན་གྲུབ"),
    ("卓嘎", "སྒྲོལ་དཀར"),
    ("仁青", "རིན་ཆེན"),
    ("桑珠", "བསམ་གྲུབ"),
    ("旦增", "བསྟན་འཛིན"),
]
HAN_SURNAMES = list("王李张刘陈杨赵黄周吴")
HAN_GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]
START = dt.date(2020, 1, 1)


@dataclass
class SeedReport:
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


def assumptions() -> dict[str, Any]:
    text = resources.files("minsheng.demo").joinpath("assumptions.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def _retired_for_current() -> dict[str, list[str]]:
    """Current county code → the retired codes that older IDs of it may carry."""
    rows = (
        resources.files("minsheng.core.data")
        .joinpath("xizang_retired_codes.csv")
        .read_text("utf-8")
    )
    out: dict[str, list[str]] = {}
    for line in rows.splitlines()[1:]:
        retired, _, current, _ = line.split(",", 3)
        if divisions.get(current).level == "county":
            out.setdefault(current, []).append(retired)
    return out


def _counties_with_weights(a: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    codes: list[str] = []
    weights: list[float] = []
    pops = a["prefecture_population"]
    for pref in divisions.prefectures():
        cs = divisions.counties(pref.code)
        w = np.array([3.0 if c.name_zh.endswith("区") else 1.0 for c in cs])
        w = w / w.sum() * float(pops[pref.code])
        codes += [c.code for c in cs]
        weights += list(w)
    arr = np.array(weights)
    return codes, arr / arr.sum()


def seed(
    engine: Engine,
    people: int = 2000,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    chunk: int = 20_000,
) -> SeedReport:
    """Generate ``people`` persons in households and write them. Refuses a non-empty registry."""
    import time

    t0 = time.perf_counter()
    today = today or dt.date.today()
    a = assumptions()
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        if conn.scalar(select(func.count(Person.id))):
            raise ConflictError(
                "database",
                "not_empty",
                "数据库中已有人员，演示数据只写入空库",
                "the registry already holds people; demo data goes into an empty one",
            )

    county_codes, county_p = _counties_with_weights(a)
    border = set(a["border_counties"]["codes"])
    retired_map = _retired_for_current()
    st = a["special_statuses"]
    en = a["enrolment"]

    # ---- households: county, area, size until `people` are placed
    est = int(people / 3.3) + 16
    h_county = rng.choice(len(county_codes), size=est, p=county_p)
    is_district = np.array([divisions.get(c).name_zh.endswith("区") for c in county_codes])
    urban_p = np.where(is_district[h_county], 0.75, 0.2)
    h_urban = rng.random(est) < urban_p
    sizes = np.empty(est, dtype=np.int64)
    for area, mask in (("urban", h_urban), ("rural", ~h_urban)):
        dist = a["household_size"][area]
        ks = np.array(list(dist.keys()), dtype=np.int64)
        ps = np.array(list(dist.values()), dtype=float)
        sizes[mask] = rng.choice(ks, size=int(mask.sum()), p=ps / ps.sum())
    cum = np.cumsum(sizes)
    n_h = int(np.searchsorted(cum, people) + 1)
    sizes = sizes[:n_h]
    sizes[-1] -= int(cum[n_h - 1] - people)
    h_county, h_urban = h_county[:n_h], h_urban[:n_h]

    # ---- persons: relationship and age within each household
    n = int(sizes.sum())
    hh_of = np.repeat(np.arange(n_h), sizes)
    pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    head_age = rng.integers(22, 80, size=n_h)
    has_spouse = (rng.random(n_h) < 0.8) & (sizes >= 2)
    has_parent = (rng.random(n_h) < 0.35) & (sizes >= 4) & (head_age < 55)
    rel = np.full(n, "child", dtype=object)
    rel[pos == 0] = "head"
    rel[(pos == 1) & has_spouse[hh_of]] = "spouse"
    last = pos == (sizes[hh_of] - 1)
    rel[last & has_parent[hh_of] & (pos >= 2)] = "parent"
    ha = head_age[hh_of]
    age = np.where(
        rel == "head",
        ha,
        np.where(
            rel == "spouse",
            np.clip(ha + rng.integers(-5, 6, size=n), 18, 95),
            np.where(
                rel == "parent",
                np.clip(ha + rng.integers(20, 32, size=n), 40, 100),
                np.clip(ha - rng.integers(18, 40, size=n), 0, 70),
            ),
        ),
    ).astype(np.int64)
    # children older than 18 in a household whose head is young are grandchildren of nobody:
    # keep ages plausible by making very old "children" other relatives
    rel[(rel == "child") & (age > ha - 15)] = "other"
    head_male = rng.random(n_h) < 0.7
    male = np.where(
        rel == "head",
        head_male[hh_of],
        np.where(rel == "spouse", ~head_male[hh_of], rng.random(n) < 0.5),
    )
    days_into_year = rng.integers(0, 365, size=n)
    birth = [
        dt.date(today.year - int(ag) - 1, 1, 1) + dt.timedelta(days=int(d))
        for ag, d in zip(age, days_into_year, strict=True)
    ]
    birth = [b if b <= today else today - dt.timedelta(days=1) for b in birth]
    county_of = np.array(county_codes, dtype=object)[h_county[hh_of]]
    urban_of = h_urban[hh_of]

    # ---- resident IDs (unique), some with retired division codes
    old_share = float(en["retired_id_share"])
    use_old = rng.random(n) < old_share
    seq_draw = rng.integers(0, 500, size=n)
    seen: set[str] = set()
    id_numbers: list[str] = []
    for i in range(n):
        code = county_of[i]
        if use_old[i] and birth[i].year < 2015 and code in retired_map:
            code = retired_map[code][0]
        k: int = int(seq_draw[i])
        while True:
            s = 2 * (k % 500) + (1 if male[i] else 0)
            number = ids.make_resident_id(code, birth[i], s)
            if number not in seen:
                break
            k += 1
        seen.add(number)
        id_numbers.append(number)

    # ---- names and phones
    han = rng.random(n) < 0.08
    t1 = rng.integers(0, len(TIBETAN_NAMES), size=n)
    t2 = rng.integers(0, len(TIBETAN_NAMES), size=n)
    hs = rng.integers(0, len(HAN_SURNAMES), size=n)
    hg = rng.integers(0, len(HAN_GIVEN), size=n)
    has_phone = (age >= 16) & (rng.random(n) < 0.85)
    phone_digits = rng.integers(0, 10**8, size=n)
    phone_prefix = rng.choice(["139", "138", "150", "151", "152", "180", "189", "177"], size=n)

    # ---- write
    with engine.begin() as conn:
        h0 = int(conn.scalar(select(func.coalesce(func.max(Household.id), 0))) or 0) + 1
        p0 = int(conn.scalar(select(func.coalesce(func.max(Person.id), 0))) or 0) + 1
    households = [
        {
            "id": h0 + i,
            "code": f"D{seed:03d}{i + 1:08d}",
            "division_code": county_codes[int(h_county[i])],
            "area": "urban" if h_urban[i] else "rural",
            "address": None,
        }
        for i in range(n_h)
    ]

    def person_row(i: int) -> dict[str, Any]:
        if han[i]:
            name_zh, name_bo = HAN_SURNAMES[hs[i]] + HAN_GIVEN[hg[i]], None
        else:
            a1, b1 = TIBETAN_NAMES[t1[i]]
            a2, b2 = TIBETAN_NAMES[t2[i]]
            name_zh, name_bo = a1 + a2, f"{b1}་{b2}"
        phone = f"{phone_prefix[i]}{phone_digits[i]:08d}" if has_phone[i] else None
        return {
            "id": p0 + i,
            "id_number": id_numbers[i],  # encrypted by the column type
            "id_hash": lookup_hash(id_numbers[i]),
            "id_masked": ids.mask_id(id_numbers[i]),
            "name_zh": name_zh,
            "name_bo": name_bo,
            "sex": "M" if male[i] else "F",
            "birth_date": birth[i],
            "division_code": county_of[i],
            "hukou": "urban" if urban_of[i] else "rural",
            "phone": phone,
            "phone_hash": lookup_hash(phone) if phone else None,
            "phone_masked": ids.mask_phone(phone),
            "household_id": h0 + int(hh_of[i]),
            "relationship_to_head": rel[i],
        }

    # employers: one per ~150 people, in prefecture seats and counties
    n_emp = max(7, people // 150)
    emp_county = rng.choice(len(county_codes), size=n_emp, p=county_p)
    with engine.connect() as conn:
        e0 = int(conn.scalar(select(func.coalesce(func.max(Employer.id), 0))) or 0) + 1
    employers = [
        {
            "id": e0 + j,
            "credit_code": ids.make_credit_code(county_codes[int(emp_county[j])], seed * 10**6 + j),
            "name": f"{divisions.get(county_codes[int(emp_county[j])]).name_zh}示范单位{j + 1:04d}",
            "division_code": county_codes[int(emp_county[j])],
        }
        for j in range(n_emp)
    ]
    facilities: list[dict[str, Any]] = []
    with engine.connect() as conn:
        f0 = int(conn.scalar(select(func.coalesce(func.max(Facility.id), 0))) or 0) + 1
    for c in county_codes:
        d = divisions.get(c)
        facilities.append(
            {"code": f"H{c}00001", "name": f"{d.name_zh}人民医院", "level": 2, "division_code": c}
        )
        facilities.append(
            {
                "code": f"H{c}00002",
                "name": f"{d.name_zh}卫生服务中心",
                "level": 1,
                "division_code": c,
            }
        )
    for p in divisions.prefectures():
        seat = divisions.counties(p.code)[0].code
        facilities.append(
            {
                "code": f"H{seat}00100",
                "name": f"{p.name_zh}人民医院",
                "level": 3,
                "division_code": seat,
            }
        )
    for j, f in enumerate(facilities):
        f["id"] = f0 + j

    # enrolment
    r = rng.random(n)
    area_key = np.where(urban_of, "urban", "rural")
    act_rate = np.array([en["employee_active_rate"][key] for key in area_key])
    ret_rate = np.array([en["employee_retired_rate"][key] for key in area_key])
    working = (age >= 18) & (age < 60) & (r < act_rate)
    retired = (age >= 60) & (r < ret_rate)
    insured = working | retired | (rng.random(n) < float(en["insured_rate"]))
    emp_pick = rng.integers(0, n_emp, size=n)
    enrolments = []
    for i in np.flatnonzero(insured).tolist():
        scheme = (
            "employee_active" if working[i] else "employee_retired" if retired[i] else "resident"
        )
        enrolments.append(
            {
                "person_id": p0 + int(i),
                "scheme": scheme,
                "start_date": max(START, birth[i]),
                "end_date": None,
                "employer_id": e0 + int(emp_pick[i]) if scheme == "employee_active" else None,
                "pooling_region": divisions.get(county_of[i]).parent_code,
            }
        )

    # special statuses: household-level 低保 / 边缘 / 返贫; 特困 for lone elderly; 残疾; 边境
    hr = rng.random(n_h)
    dibao_rate = np.where(
        h_urban, st["dibao_household_rate"]["urban"], st["dibao_household_rate"]["rural"]
    )
    h_dibao = hr < dibao_rate
    h_edge = (~h_dibao) & (hr < dibao_rate + st["dibao_edge_household_rate"])
    h_return = rng.random(n_h) < st["poverty_return_household_rate"]
    lone_old = (sizes == 1) & (head_age >= 60) & (rng.random(n_h) < st["tekun_single_elderly_rate"])
    disabled = rng.random(n) < st["disability_rate"]
    grade = rng.integers(1, 5, size=n)
    expiry_days = rng.integers(-30, 5 * 365, size=n)
    border_person = np.isin(county_of, list(border)) & (
        rng.random(n) < st["border_rate_in_border_counties"]
    )
    statuses: list[dict[str, Any]] = []

    def status(i: int, kind: str, **extra: Any) -> None:
        statuses.append(
            {
                "person_id": p0 + i,
                "kind": kind,
                "start_date": max(START, birth[i]),
                "end_date": None,
                "disability_grade": None,
                "certificate_no": None,
                "certificate_expiry": None,
                **extra,
            }
        )

    for i in range(n):
        h = int(hh_of[i])
        if lone_old[h]:
            status(i, "tekun")
        elif h_dibao[h]:
            status(i, "dibao")
        elif h_edge[h]:
            status(i, "dibao_edge")
        if h_return[h]:
            status(i, "poverty_return")
        if border_person[i]:
            status(i, "border")
        if disabled[i]:
            status(
                i,
                "disability",
                disability_grade=int(grade[i]),
                certificate_no=f"{id_numbers[i]}{int(grade[i])}{int(grade[i])}",
                certificate_expiry=today + dt.timedelta(days=int(expiry_days[i])),
            )

    total_rows = n_h + n + len(enrolments) + len(statuses) + n_emp + len(facilities)
    done = 0

    def chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        for k in range(0, len(rows), chunk):
            yield rows[k : k + chunk]

    with engine.begin() as conn:
        for table, rows in (
            (_table(Household), households),
            (_table(Employer), employers),
            (_table(Facility), facilities),
        ):
            for part in chunks(rows):
                conn.execute(insert(table), part)
                done += len(part)
                if progress:
                    progress(table.name, done, total_rows)
        for k in range(0, n, chunk):
            part = [person_row(i) for i in range(k, min(n, k + chunk))]
            conn.execute(insert(_table(Person)), part)
            done += len(part)
            if progress:
                progress("persons", done, total_rows)
        for table, rows in ((_table(Enrolment), enrolments), (_table(SpecialStatus), statuses)):
            for part in chunks(rows):
                conn.execute(insert(table), part)
                done += len(part)
                if progress:
                    progress(table.name, done, total_rows)
        if conn.dialect.name == "postgresql":
            for t in ("households", "persons", "employers", "facilities"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                )
    return SeedReport(
        people=n,
        households=n_h,
        employers=n_emp,
        facilities=len(facilities),
        enrolments=len(enrolments),
        statuses=len(statuses),
        seconds=round(time.perf_counter() - t0, 2),
    )
