"""The employer desk and the review pages: a refused posting answers the form again with the
reasons by field (nothing stored), post–redirect–get for the done ones, a hire filed from the
desk, the review list's filters, a vacancy's page and the supervisor's take-down, and another
region's vacancy answering 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from tests.conftest import make_app, staff_client
from tests.employment.test_vacancy_api import bind, world

TODAY = dt.date.today()


def form(**over: str) -> dict[str, str]:
    data = {
        "title": "藏餐厨师",
        "occupation": "4",
        "count": "2",
        "wage_min": "4000",
        "wage_max": "6000",
        "division_code": "540102",
        "education": "",
        "skills": "藏餐，酥油茶",
        "requirements": "两年经验",
        "closing_on": (TODAY + dt.timedelta(days=40)).isoformat(),
    }
    data.update(over)
    return data


def vacancies(engine: Engine) -> list[EmVacancy]:
    with make_sessionmaker(engine)() as s:
        return list(s.scalars(select(EmVacancy).order_by(EmVacancy.id)))


def test_the_desk_refuses_with_reasons_then_publishes(engine: Engine) -> None:
    w = world(engine)
    app = make_app(engine)
    c: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    page = c.get("/employment/employer")
    assert page.status_code == 200 and 'id="new-vacancy"' in page.text
    bad = form(wage_min="2099.99", requirements="需交押金200元", action="publish_new")
    r = c.post("/employment/employer", data=bad, follow_redirects=False)
    assert r.status_code == 422
    assert 'id="em-vacancy-wage_min-error"' in r.text
    assert 'id="em-vacancy-requirements-error"' in r.text
    assert "最低工资" in r.text and "押金" in r.text
    assert 'value="2099.99"' in r.text  # kept as typed
    assert vacancies(engine) == []  # nothing stored, nothing published
    r = c.post("/employment/employer", data=form(action="publish_new"), follow_redirects=False)
    assert r.status_code == 303
    [v] = vacancies(engine)
    assert v.state == "published" and v.skills == '["藏餐", "酥油茶"]'
    desk = c.get("/employment/employer")
    assert f'id="vacancy-{v.id}"' in desk.text and "2 / 2" in desk.text
    # a draft, published from the list
    r = c.post("/employment/employer", data=form(action="save"), follow_redirects=False)
    assert r.status_code == 303
    draft = vacancies(engine)[-1]
    assert draft.state == "draft"
    r = c.post(
        "/employment/employer",
        data={"action": "publish", "vacancy_id": str(draft.id)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and vacancies(engine)[-1].state == "published"


def test_a_hire_recorded_and_filed_from_the_desk(engine: Engine) -> None:
    w = world(engine)
    app = make_app(engine)
    c: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    from minsheng.core import ids

    number = ids.make_resident_id("540102", dt.date(1996, 3, 3), 51)
    hired = (TODAY - dt.timedelta(days=40)).isoformat()
    r = c.post(
        "/employment/employer",
        data={"action": "hire", "id_number": number, "occupation": "4", "hired_on": hired},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    desk = c.get("/employment/employer")
    assert "次仁" in desk.text and number not in desk.text and "overdue" in desk.text
    with make_sessionmaker(engine)() as s:
        hire = s.scalars(select(EmHire)).one()
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    review = cw.get("/employment/vacancies")
    assert f'id="hire-{hire.id}"' in review.text  # overdue, on the caseworker's list
    r = c.post(
        "/employment/employer",
        data={"action": "file", "hire_id": str(hire.id)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with make_sessionmaker(engine)() as s:
        assert s.get(EmHire, hire.id).state == "filed"  # type: ignore[union-attr]
    bad = c.post(
        "/employment/employer",
        data={"action": "hire", "id_number": "123", "hired_on": hired},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and 'id="em-hire-id_number-error"' in bad.text
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(EmHire)) == 1


def test_review_filters_vacancy_page_and_take_down(engine: Engine) -> None:
    w = world(engine)
    app = make_app(engine)
    rec: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    for kw in ({"title": "电工"}, {"title": "导游", "division_code": "540103"}):
        rec.post("/employment/employer", data=form(action="publish_new", **kw))
    one, two = vacancies(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    page = cw.get("/employment/vacancies")
    assert "电工" in page.text and "导游" in page.text
    only = cw.get("/employment/vacancies", params={"county": "540103"})
    assert "导游" in only.text and "电工" not in only.text
    assert "电工" not in cw.get("/employment/vacancies", params={"state": "draft"}).text
    shown = cw.get(f"/employment/vacancies/{one.id}")
    assert shown.status_code == 200 and 'id="take-down"' not in shown.text
    far: Any = staff_client(app, engine, "caseworker", "540200")
    assert far.get(f"/employment/vacancies/{one.id}").status_code == 404
    assert "电工" not in far.get("/employment/vacancies").text
    boss: Any = staff_client(app, engine, "supervisor", "540100")
    assert 'id="take-down"' in boss.get(f"/employment/vacancies/{one.id}").text
    r = boss.post(f"/employment/vacancies/{one.id}", data={"reason": ""}, follow_redirects=False)
    assert r.status_code == 422 and 'id="em-down-reason-error"' in r.text
    r = boss.post(
        f"/employment/vacancies/{one.id}", data={"reason": "虚假招聘信息"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert vacancies(engine)[0].state == "taken_down"
    assert cw.post(f"/employment/vacancies/{two.id}", data={"reason": "x y"}).status_code == 403


def test_an_unbound_recruiter_sees_nothing(engine: Engine) -> None:
    world(engine)
    app = make_app(engine)
    c: Any = staff_client(app, engine, "employer", "540100", "rec.none")
    page = c.get("/employment/employer")
    assert page.status_code == 200 and 'id="unbound"' in page.text
    r = c.post("/employment/employer", data=form(action="save"), follow_redirects=False)
    assert r.status_code == 403 and vacancies(engine) == []


def test_a_refused_vacancy_is_edited_and_published_from_the_desk(engine: Engine) -> None:
    w = world(engine)
    app = make_app(engine)
    c: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    c.post("/employment/employer", data=form(action="save", wage_min="2000", wage_max="2500"))
    [v] = vacancies(engine)
    r = c.post("/employment/employer", data={"action": "publish", "vacancy_id": str(v.id)})
    assert r.status_code == 422 and f'id="reasons-{v.id}"' in r.text
    assert vacancies(engine)[0].state == "refused"
    page = c.get("/employment/employer", params={"edit": str(v.id)})
    assert 'value="2000.00"' in page.text and f'name="vacancy_id" value="{v.id}"' in page.text
    again = c.post(
        "/employment/employer",
        data=form(action="update_publish", vacancy_id=str(v.id), wage_min="1999"),
        follow_redirects=False,
    )
    assert again.status_code == 422 and 'id="em-vacancy-wage_min-error"' in again.text
    assert f'name="vacancy_id" value="{v.id}"' in again.text  # still editing it
    done = c.post(
        "/employment/employer",
        data=form(action="update_publish", vacancy_id=str(v.id), wage_min="2100"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    [v] = vacancies(engine)
    assert (v.state, v.wage_min) == ("published", 210_000)
    other: Any = staff_client(app, engine, "employer", "540100", "rec.none")
    assert other.get("/employment/employer", params={"edit": str(v.id)}).status_code == 404
