"""The cashier's window (issue 15, point 1) without a browser: what the pages refuse, keep and
change. A bad check digit reads as a bad ID; "add a line" keeps every value; a bill file never
replaces the typed ID; messages name the row and column in three languages; today's list,
reprint, reversal and the day's CSV stay inside the window's region; a reversal without a
reason changes nothing; the CSV escapes formulas; a citizen opens their own receipt only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import service as auth
from minsheng.cards import service as cards
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.medical import desk
from minsheng.medical.models import LedgerYear, Preview, Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.models import Person
from minsheng.registry.schemas import EnrolmentIn, PersonIn
from minsheng.webkit.guards import SESSION_COOKIE
from tests.medical.test_hardening import _hidden, _signed_in_cashier
from tests.medical.test_settlement_api import BY, DAY, P, bill, world

__all__ = ["world"]

FORM = {
    "id_number": P,
    "facility_code": "H54010200001",
    "visit": "outpatient",
    "service_date": DAY.isoformat(),
    "price_0": "20.00",
}


def _count(engine: Engine, model: Any = Settlement) -> int:
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _cashier(app: Any, engine: Engine, name: str, region: str = "540102") -> tuple[Any, str]:
    c = _signed_in_cashier(app, engine, name, region)
    return c, _hidden(c.get("/medical/cashier").text, "csrf_token")


def _settle(c: Any, csrf: str, price: str = "20.00", **extra: str) -> int:
    form = {**FORM, "csrf_token": csrf, "price_0": price, **extra}
    page = c.post("/medical/cashier", data={**form, "action": "preview"})
    assert page.status_code == 200, page.text
    confirm = {
        **form,
        "action": "confirm",
        "preview_id": _hidden(page.text, "preview_id"),
        "fingerprint": _hidden(page.text, "fingerprint"),
    }
    done = c.post("/medical/cashier", data=confirm, follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("/", 1)[1])


def _error_of(page: str, field: str) -> str:
    m = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    assert m, f"no error next to {field}"
    return m.group(1)


def test_a_bad_check_digit_reads_as_a_bad_id_next_to_the_field(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "digit.cashier")
    wrong = P[:17] + ("0" if P[17] != "0" else "1")
    page = c.post(
        "/medical/cashier", data={**FORM, "id_number": wrong, "csrf_token": csrf, "action": "x"}
    )
    assert page.status_code == 422
    msg = _error_of(page.text, "id_number")
    assert "校验位" in msg and "ཞིབ་བཤེར་ཨང་" in msg and "check character" in msg
    assert "未找到" not in page.text  # not "no such insured person"
    assert re.search(r'id="id_number"[^>]*aria-invalid="true"[^>]*autofocus', page.text)
    assert f'value="{wrong}"' in page.text  # kept as typed
    assert _count(engine) == 0 and _count(engine, Preview) == 0


def test_add_a_line_keeps_what_was_typed_and_settles_nothing(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "rows.cashier")
    blank = c.get("/medical/cashier").text
    assert 'name="price_2"' in blank and 'name="price_3"' not in blank
    form = {**FORM, "csrf_token": csrf, "rows": "3", "name_2": "阿莫西林", "price_2": "12.50"}
    page = c.post("/medical/cashier", data={**form, "action": "add_line"})
    assert page.status_code == 200
    assert 'name="price_3"' in page.text and 'name="price_4"' not in page.text
    assert 'value="阿莫西林"' in page.text and 'value="12.50"' in page.text
    assert 'name="rows" value="4"' in page.text
    # the added row takes part in the bill: rows 0, 2 and 3 are its three lines
    page = c.post(
        "/medical/cashier", data={**form, "rows": "4", "price_3": "7.50", "action": "preview"}
    )
    assert page.status_code == 200 and "¥40.00" in page.text
    assert _count(engine) == 0


def test_an_uploaded_bill_never_replaces_the_typed_id(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "file.cashier")
    other = ids.make_resident_id("540102", dt.date(1990, 1, 1), 77)
    with make_sessionmaker(engine)() as s:
        registry.create_person(s, PersonIn(id_number=other, name_zh="旁人", hukou="urban"), BY)
        s.commit()
    data = {"csrf_token": csrf, "id_number": other, "action": "preview"}
    files = {"bill_file": ("b.json", json.dumps(bill("33.00")).encode(), "application/json")}
    page = c.post("/medical/cashier", data=data, files=files)
    assert page.status_code == 422 and "file_patient_differs" in page.text
    assert "账单文件中的患者" in _error_of(page.text, "id_number")
    assert f'value="{other}"' in page.text and "次仁" not in page.text
    # a file naming no patient takes the one typed at the window
    nameless = {k: v for k, v in bill("33.00").items() if k != "patient"}
    files = {"bill_file": ("b.json", json.dumps(nameless).encode(), "application/json")}
    page = c.post("/medical/cashier", data={**data, "id_number": P}, files=files)
    assert page.status_code == 200 and "次仁" in page.text and "¥33.00" in page.text
    assert "from the bill file" in page.text or "账单文件" in page.text  # its lines are shown
    # and its confirm needs no file: the pre-settlement is stored
    confirm = {
        "csrf_token": csrf,
        "id_number": P,
        "action": "confirm",
        "preview_id": _hidden(page.text, "preview_id"),
        "fingerprint": _hidden(page.text, "fingerprint"),
    }
    assert c.post("/medical/cashier", data=confirm, follow_redirects=False).status_code == 303
    # a file and typed lines at once: which is the bill? refused on the file
    files = {"bill_file": ("b.json", json.dumps(nameless).encode(), "application/json")}
    page = c.post("/medical/cashier", data={**FORM, **data, "id_number": P}, files=files)
    assert page.status_code == 422 and "file_and_lines" in page.text
    assert _count(engine) == 1


def test_messages_name_the_row_and_column_in_three_languages(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "words.cashier")
    form = {**FORM, "csrf_token": csrf, "qty_0": "x", "action": "preview"}
    page = c.post("/medical/cashier", data=form)
    assert page.status_code == 422
    msg = _error_of(page.text, "qty_0")
    assert "第1行“数量”" in msg and "line 1, Quantity" in msg and "ཐིག་ཕྲེང་1" in msg
    assert "lines[0]" not in msg


def test_the_window_looks_up_by_name_card_and_id_in_its_region(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    with make_sessionmaker(engine)() as s:
        card = cards.apply(s, world["person"], "540102", BY, dt.date.today())
        s.commit()
        number = card.number
    c, csrf = _cashier(app, engine, "find.cashier")
    for q in ("次仁", number, P):
        page = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": q})
        assert page.status_code == 200, q
        assert "次仁" in page.text and ids.mask_id(P) in page.text, q
    assert re.search(
        rf'id="id_number" name="id_number"[^>]*value="{P}"', page.text
    )  # into the bill
    wrong = P[:17] + ("0" if P[17] != "0" else "1")
    bad = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": wrong})
    assert bad.status_code == 422 and "校验位" in _error_of(bad.text, "lk-q")
    there, csrf2 = _cashier(app, engine, "find.shigatse", "540200")
    for q in ("次仁", number, P):
        page = there.post("/medical/cashier/lookup", data={"csrf_token": csrf2, "q": q})
        assert page.status_code == 200 and 'class="figures found"' not in page.text, q
        assert ids.mask_id(P) not in page.text, q


def test_a_scanned_electronic_card_finds_the_patient_and_fills_the_bill(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    from minsheng.cards import ecard

    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        card = cards.apply(s, world["person"], "540102", BY, today)
        for action in ("make", "issue", "activate_at_window"):
            cards.step(s, card.id, action, BY, today)
        s.commit()
        code, _ = ecard.mint(card.id, dt.datetime.now(dt.UTC))
    c, csrf = _cashier(app, engine, "scan.cashier")
    page = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": code})
    assert page.status_code == 200 and "次仁" in page.text and P not in page.text
    assert re.search(r'id="ecard" name="ecard"[^>]*value="' + re.escape(code), page.text)
    # the same window presents the code again: the pre-settlement names the patient
    form = {**FORM, "id_number": "", "ecard": code, "csrf_token": csrf, "action": "preview"}
    preview = c.post("/medical/cashier", data=form)
    assert preview.status_code == 200 and "次仁" in preview.text
    # another window cannot reuse it
    other, csrf2 = _cashier(app, engine, "scan2.cashier")
    bad = other.post("/medical/cashier/lookup", data={"csrf_token": csrf2, "q": code})
    assert bad.status_code == 422 and "电子社保卡码无效" in _error_of(bad.text, "lk-q")


def test_looking_up_id_numbers_nobody_holds_is_bounded_like_a_preview(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    from minsheng.medical.intake import PATIENT_MISSES_PER_HOUR

    c, csrf = _cashier(app, engine, "probe.cashier")
    for i in range(PATIENT_MISSES_PER_HOUR):
        wrong = ids.make_resident_id("540102", dt.date(1950, 1, 1), 600 + i)
        page = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": wrong})
        assert page.status_code == 200 and 'class="figures found"' not in page.text
    page = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": P})
    assert page.status_code == 429 and "too_many_unknown_patients" not in _error_of(
        page.text, "lk-q"
    )
    assert "20" in _error_of(page.text, "lk-q") and "次仁" not in page.text.split("lk-q-error")[1]
    assert c.post("/medical/cashier", data={**FORM, "csrf_token": csrf}).status_code == 429
    page = c.post("/medical/cashier/lookup", data={"csrf_token": csrf, "q": "次仁"})
    assert page.status_code == 200 and "次仁" in page.text  # names are not the bound's business


def test_another_regions_settlement_is_not_listed_reprinted_reversed_or_exported(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "lhasa.cashier")
    sid = _settle(c, csrf)
    listed = c.get("/medical/cashier/today").text
    assert "次仁" in listed and f"/medical/cashier/reverse/{sid}" in listed
    assert "lhasa.cashier" in listed  # who settled it
    colleague, _ = _cashier(app, engine, "colleague.cashier")
    assert f'id="s{sid}"' in colleague.get("/medical/cashier/today").text  # the window's day
    assert f'id="s{sid}"' not in colleague.get("/medical/cashier/today?mine=1").text
    there, csrf2 = _cashier(app, engine, "shigatse.cashier", "540200")
    assert "次仁" not in there.get("/medical/cashier/today").text
    assert there.get(f"/medical/receipt/{sid}").status_code == 404
    assert there.get(f"/medical/cashier/reverse/{sid}").status_code == 404
    r = there.post(
        f"/medical/cashier/reverse/{sid}", data={"csrf_token": csrf2, "reason": "wrong bill"}
    )
    assert r.status_code == 404
    exported = there.get("/medical/cashier/report.csv").content.decode("utf-8-sig")
    assert "次仁" not in exported and len(exported.strip().splitlines()) == 1  # the header
    report = there.get("/medical/cashier/report").text
    assert "¥20.00" not in report
    with make_sessionmaker(engine)() as s:
        assert s.get(Settlement, sid).reversed_by_id is None  # type: ignore[union-attr]


def test_a_reversal_needs_a_reason_and_without_one_changes_nothing(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "undo.cashier")
    sid = _settle(c, csrf, "500.00")
    with make_sessionmaker(engine)() as s:
        before = {
            k: getattr(s.get(LedgerYear, (world["person"], DAY.year)), k)
            for k in ("op_paid", "settlements")
        }
    r = c.post(f"/medical/cashier/reverse/{sid}", data={"csrf_token": csrf, "reason": "   "})
    assert r.status_code == 422
    assert "冲销必须填写原因" in _error_of(r.text, "rv-reason")
    assert re.search(r'id="rv-reason"[^>]*aria-invalid="true"[^>]*autofocus', r.text)
    with make_sessionmaker(engine)() as s:
        ledger = s.get(LedgerYear, (world["person"], DAY.year))
        assert {k: getattr(ledger, k) for k in before} == before
        assert s.get(Settlement, sid).reversed_by_id is None  # type: ignore[union-attr]
    assert _count(engine) == 1
    r = c.post(
        f"/medical/cashier/reverse/{sid}",
        data={"csrf_token": csrf, "reason": "收错了项目"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/medical/cashier/today"
    listed = c.get("/medical/cashier/today").text
    assert "已冲销" in listed or "reversed" in listed
    assert "收错了项目" in listed and f"/medical/cashier/reverse/{sid}" not in listed
    assert "收错了项目" in c.get(f"/medical/receipt/{sid}").text
    with make_sessionmaker(engine)() as s:  # kept on the reversal row, not only in the log
        rev = s.scalar(select(Settlement).where(Settlement.reverses_id == sid))
        assert rev is not None and rev.kind == "reverse" and rev.reason == "收错了项目"
    again = c.post(f"/medical/cashier/reverse/{sid}", data={"csrf_token": csrf, "reason": "x"})
    assert again.status_code == 409 and _count(engine) == 2


def test_the_day_totals_by_fund_and_its_csv_escape_formulas(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "day.cashier")
    first, second = _settle(c, csrf, "100.00"), _settle(c, csrf, "30.00")
    c.post(
        f"/medical/cashier/reverse/{second}",
        data={"csrf_token": csrf, "reason": "=1+2 cmd"},
    )
    with make_sessionmaker(engine)() as s:
        t = desk.day_totals(s, BY, desk.today())
        one = s.get(Settlement, first)
        assert one is not None
        assert t.settled == 2 and t.reversed == 1
        assert t.figures["total"] == 10_000  # the reversal takes the second one back out
        assert t.figures["basic"] == one.basic and t.figures["patient"] == one.patient
    report = c.get("/medical/cashier/report").text
    assert "¥100.00" in report and "/medical/cashier/report.csv" in report
    r = c.get("/medical/cashier/report.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.content
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == list(desk.CSV_HEADER) and len(rows) == 4
    assert {row[2] for row in rows[1:]} == {"settle", "reverse"}
    reasons = [row[-1] for row in rows[1:] if row[-1]]
    assert reasons and all(x == "'=1+2 cmd" for x in reasons)  # never a formula
    assert P not in r.text and ids.mask_id(P) in r.text
    bad = c.get("/medical/cashier/today?day=2999-01-01")
    assert bad.status_code == 422 and 'id="day-day-error"' in bad.text


def test_a_citizen_opens_their_own_receipt_and_nobody_elses(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c, csrf = _cashier(app, engine, "receipt.cashier")
    sid = _settle(c, csrf, "66.00", name_0="血常规")
    other = ids.make_resident_id("540102", dt.date(1985, 3, 3), 55)
    with make_sessionmaker(engine)() as s:
        q = registry.create_person(s, PersonIn(id_number=other, name_zh="邻居", hukou="urban"), BY)
        add_enrolment(s, q.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        mine = auth.open_session(s, 1, person=s.get(Person, world["person"])).token
        theirs = auth.open_session(s, 1, person=q).token
        s.commit()
    me = TestClient(app)
    me.cookies.set(SESSION_COOKIE, mine)
    listing = me.get("/me/medical").text
    assert f'href="/me/medical/{sid}"' in listing
    page = me.get(f"/me/medical/{sid}")
    assert page.status_code == 200
    assert "血常规" in page.text and "YB" in page.text and "receipt.cashier" in page.text
    assert P not in page.text
    neighbour = TestClient(app)
    neighbour.cookies.set(SESSION_COOKIE, theirs)
    assert neighbour.get(f"/me/medical/{sid}").status_code == 404
    assert neighbour.get(f"/me/medical/{sid + 1000}").status_code == 404  # the same answer
    assert neighbour.get(f"/medical/receipt/{sid}").status_code == 403  # not the staff's door
