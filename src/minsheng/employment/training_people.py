"""Who may be enrolled on a course: a registered, living person found by ID number through the
registry (the number is neither stored nor logged nor put in an error), of working age on the
day (``employment.seeker.min_age``: 劳动法 art. 15), and — enrolling themself — living in the
course's prefecture."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import divisions, ids
from minsheng.core.errors import invalid
from minsheng.employment.training_models import EmCourse
from minsheng.policy import load
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Person


def by_number(session: Session, id_number: str) -> Person:
    """The registered, living person with this ID number; else the field is refused."""
    number = ids.parse_resident_id(id_number, "id_number").number
    person = find_by_id_number(session, number)
    if person is None or person.death_date is not None:
        raise invalid(
            "id_number",
            "not_registered",
            "该身份证号尚未在人员库登记：请先登记身份",
            "no registered person has this ID number: register the identity first",
            "ཐོ་འགོད་བྱས་པའི་མི་སྣ་མེད།",
        )
    return person


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_age(person: Person, today: dt.date, field: str) -> None:
    """Refuse a person younger than the minimum age of work on ``today``."""
    least = int(load().at(today, person.division_code).employment.seeker.min_age)
    if age_on(person.birth_date, today) < least:
        raise invalid(
            field,
            "age",
            f"未满{least}周岁，不能参加职业培训（劳动法第十五条）",
            f"a trainee is at least {least} years old",
            f"ལོ་{least} མ་ལོན་པར་སྦྱོང་བརྡར་ལ་ཞུགས་མི་ཆོག",
        )


def near(person: Person, course: EmCourse) -> bool:
    """Whether the course lies in the person's own prefecture (where they may enrol)."""
    try:
        mine = divisions.ancestors(person.division_code)
    except Exception:
        return False
    return len(mine) > 1 and mine[1] in divisions.ancestors(course.division_code)
