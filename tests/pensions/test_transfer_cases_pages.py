"""The stored transfer pages (issue 12 point 8): the open form from the person page,
prefilled from the stored record; an error by its field with the typed values kept; PRG to
the transfer's page with only the actions its state and the caller's side allow; the queue
of each side, filtered by state; another region's 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Engine

from minsheng.db import make_sessionmaker, unit_of_work
from tests.conftest import make_app, staff_client
from tests.pensions.transfer_kit import balance, employee_history, person


def _form(page: str) -> dict[str, str]:
    form = page[page.index('id="transfer-open-form"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def test_open_from_the_person_page_step_and_queue(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 21)
        employee_history(s, pid, "540202", 12, 500_000)
        balance(s, pid, "employee_pension", 123_456)
    app = make_app(engine)
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    nyingchi: Any = staff_client(app, engine, "caseworker", "540400")
    assert 'id="transfer-link"' in lhasa.get(f"/pensions/persons/{pid}").text
    page = lhasa.get(f"/pensions/persons/{pid}/transfer")
    assert page.status_code == 200 and 'id="stored-history"' in page.text
    values = _form(page.text)
    assert (values["p1_place"], values["p1_from"], values["p1_to"]) == (
        "540202",
        "2016-01",
        "2016-12",
    )
    assert (values["account_balance"], values["from"], values["to"]) == (
        "1234.56",
        "540202",
        "540102",
    )
    bad = lhasa.post(f"/pensions/persons/{pid}/transfer", data={**values, "hukou": ""})
    assert bad.status_code == 422 and 'id="transfer-hukou-error"' in bad.text
    assert 'value="1234.56"' in bad.text  # the typed values kept
    values["hukou"] = "540102"
    done = lhasa.post(f"/pensions/persons/{pid}/transfer", data=values, follow_redirects=False)
    assert done.status_code == 303, done.text
    url = done.headers["location"]
    again = lhasa.post(f"/pensions/persons/{pid}/transfer", data=values, follow_redirects=False)
    assert again.headers["location"] == url  # the same key: the same transfer
    case = lhasa.get(url)
    assert 'id="transfer-total">¥8434.56' in case.text  # 1234.56 + 12 % × 12 × 5000.00
    assert 'id="step-refuse-form"' in case.text and 'id="step-confirm-form"' not in case.text
    theirs = shigatse.get(url)
    assert 'id="step-confirm-form"' in theirs.text
    assert nyingchi.get(url).status_code == 404
    tid = url.rsplit("/", 1)[-1]
    wrong = shigatse.post(f"{url}/steps", data={"action": "confirm", "day": "2000-01-01"})
    assert wrong.status_code == 422 and 'value="2000-01-01"' in wrong.text
    for who, action in ((shigatse, "confirm"), (shigatse, "send"), (lhasa, "receive")):
        r = who.post(
            f"{url}/steps",
            data={"action": action, "day": dt.date.today().isoformat()},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    final = lhasa.get(url).text
    assert 'id="transfer-credited">¥1234.56' in final and "step-form" not in final
    queue = lhasa.get("/pensions/transfer-cases", params={"state": "done"}).text
    assert f'id="transfer-{tid}"' in queue
    assert f'id="transfer-{tid}"' not in lhasa.get("/pensions/transfer-cases").text  # open ones
    assert f'id="transfer-{tid}"' not in nyingchi.get("/pensions/transfer-cases?state=done").text
