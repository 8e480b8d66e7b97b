"""Route-matrix samples of the deposits and blacklist area. The deposit is the Lhasa project's
(``w.ids["wg_project"]``), assessed and lodged here so draws and top-ups have a balance; the
listings are of five fresh Lhasa firms added as subcontractors of the spare project (never the
matrix's general contractor or developer, whom other areas' samples file projects with), one
per route that moves a listing, so no sample's caller meets maker–checker with itself."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import ids, money
from minsheng.foundation.principals import system
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn
from minsheng.wages import blacklist, deposits
from minsheng.wages.models import WgProjectFirm
from tests.route_kit import BY, Samples, World

CHECKER = system("test-checker")  # approves what BY proposed (maker–checker)

MARKER = "拉萨测试失信事实"
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/wages/blacklist"),
    ("GET", "/api/wages/deposits/overdue"),
    ("GET", "/wages/blacklist"),
}
REGION_FREE: set[tuple[str, str]] = set()
TEN = [(1, "3000")] * 10


def _sub(s: Session, project_id: int, n: int) -> int:
    e = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code("540102", 7900 + n),
            name=f"拉萨测试失信单位{n}",
            division_code="540102",
        ),
        BY,
    )
    s.add(WgProjectFirm(project_id=project_id, employer_id=e.id, role="sub"))
    s.flush()
    return e.id


def populate(s: Session, w: World) -> None:
    today = dt.date.today()
    project, spare = w.ids["wg_project"], w.ids["wg_project_spare"]
    dep = deposits.assess(s, project, BY, today)
    if not dep.exempt:
        deposits.lodge(
            s,
            project,
            form="cash",
            amount=money.to_str(dep.required),
            bank="测试银行",
            by=BY,
            today=today,
        )
    firms = [_sub(s, spare, n) for n in range(5)]
    draw = deposits.draw(s, project, amount="1.00", reference="TS-MATRIX-0", by=BY, today=today)
    w.ids["wg_draw"] = draw.id  # its payout is the payouts route's sample

    def listing(employer: int, day: dt.date) -> int:
        return blacklist.propose(
            s, employer_id=employer, project_id=spare, owed=TEN, facts=MARKER, by=BY, today=day
        ).id

    long_ago = today - dt.timedelta(days=400)
    a, b = listing(firms[0], today), listing(firms[1], today)
    listed, asked = listing(firms[2], long_ago), listing(firms[3], long_ago)
    for rec in (listed, asked):
        blacklist.approve(s, rec, by=CHECKER, today=long_ago)
    blacklist.request_removal(
        s, asked, put_right_on=long_ago, pledge="承诺按时足额支付工资", by=BY, today=today
    )
    w.ids.update(
        bl_proposed=a, bl_proposed_2=b, bl_listed=listed, bl_requested=asked, bl_firm=firms[4]
    )


def samples(w: World) -> Samples:
    project = {"project_id": w.ids["wg_project"]}
    put_right = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    return {
        ("GET", "/api/wages/projects/{project_id}/deposit"): {"path": project},
        ("POST", "/api/wages/projects/{project_id}/deposit"): {"path": project},
        ("POST", "/api/wages/projects/{project_id}/deposit/lodge"): {
            "path": project,
            "json": {"form": "cash", "amount": "100000.00", "bank": "测试银行"},
        },
        ("POST", "/api/wages/projects/{project_id}/deposit/draw"): {
            "path": project,
            "json": {"amount": "1.00", "reference": "TS-MATRIX-1"},
        },
        ("POST", "/api/wages/projects/{project_id}/deposit/payouts"): {
            "path": project,
            "json": {
                "entry_id": w.ids["wg_draw"],
                "paid_on": dt.date.today().isoformat(),
                "workers": 1,
                "reference": "BANK-MATRIX-1",
            },
        },
        ("POST", "/api/wages/projects/{project_id}/deposit/top-up"): {
            "path": project,
            "json": {"amount": "1.00"},
        },
        ("POST", "/api/wages/projects/{project_id}/deposit/notice"): {"path": project},
        ("POST", "/api/wages/projects/{project_id}/deposit/return"): {"path": project},
        ("GET", "/api/wages/deposits/overdue"): {},
        ("GET", "/api/wages/blacklist"): {"marker": MARKER},
        ("POST", "/api/wages/blacklist"): {
            "json": {
                "employer_id": w.ids["bl_firm"],
                "project_id": w.ids["wg_project_spare"],
                "owed": [{"months": 3, "amount": "6000.00"}],
                "facts": "拖欠一名工人3个月工资",
            }
        },
        ("GET", "/api/wages/blacklist/{listing_id}"): {"path": {"listing_id": w.ids["bl_listed"]}},
        ("POST", "/api/wages/blacklist/{listing_id}/approve"): {
            "path": {"listing_id": w.ids["bl_proposed"]}
        },
        ("POST", "/api/wages/blacklist/{listing_id}/reject"): {
            "path": {"listing_id": w.ids["bl_proposed_2"]},
            "json": {"reason": "情节轻微"},
        },
        ("POST", "/api/wages/blacklist/{listing_id}/removal"): {
            "path": {"listing_id": w.ids["bl_listed"]},
            "json": {"put_right_on": put_right, "pledge": "承诺按时足额支付工资"},
        },
        ("POST", "/api/wages/blacklist/{listing_id}/removal/decision"): {
            "path": {"listing_id": w.ids["bl_requested"]},
            "json": {"approve": True},
        },
        ("GET", "/api/public/wages/blacklist"): {},
        # pages
        ("GET", "/wages/projects/{project_id}/deposit"): {"path": project},
        ("POST", "/wages/projects/{project_id}/deposit"): {
            "path": project,
            "data": {"action": "top_up", "amount": "1.00"},
        },
        ("GET", "/wages/blacklist"): {"marker": "拉萨测试失信单位"},
        ("POST", "/wages/blacklist"): {
            "data": {
                "project_id": str(w.ids["wg_project_spare"]),
                "credit_code": ids.make_credit_code("540102", 7904),
                "owed": "3, 6000.00",
                "facts": "拖欠一名工人3个月工资",
            }
        },
        ("GET", "/wages/blacklist/{listing_id}"): {"path": {"listing_id": w.ids["bl_listed"]}},
        ("POST", "/wages/blacklist/{listing_id}/steps"): {
            "path": {"listing_id": w.ids["bl_listed"]},
            "data": {"action": "request_removal", "put_right_on": put_right, "pledge": "承诺"},
        },
        ("GET", "/public/wages/blacklist"): {},
    }
