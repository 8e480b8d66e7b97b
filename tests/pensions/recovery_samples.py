"""The route matrix's samples for the death settlement and recovery routes
(``pensions/recovery_api.py``): a Lhasa claimant whose death is settled by the sample, and a
Lhasa recovery case of another claimant's overpayment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.pensions import recovery
from tests.route_kit import BY, Samples, World

COLLECTIONS = {("GET", "/api/pensions/recoveries")}


def populate_recovery(s: Session, w: World) -> None:
    from tests.pensions import award_kit

    today = dt.date.today()
    dying = award_kit.claim(s, award_kit.resident(s, 903, bank=False), today=today)
    owing = award_kit.claim(s, award_kit.resident(s, 904, bank=False), today=today)
    owing.overpaid = 30_000  # as if two months were paid after the death
    rec = recovery.open_case(s, owing, today, BY, today)
    assert rec is not None
    w.ids.update(pn_dying=dying.person_id, pn_recovery=rec.id)


def recovery_samples(w: World) -> Samples:
    case = {"recovery_id": w.ids["pn_recovery"]}
    return {
        ("POST", "/api/pensions/persons/{person_id}/death"): {
            "path": {"person_id": w.ids["pn_dying"]},
            "json": {"died_on": dt.date.today().isoformat()},
        },
        ("GET", "/api/pensions/recoveries"): {},
        ("GET", "/api/pensions/recoveries/{recovery_id}"): {"path": case},
        ("POST", "/api/pensions/recoveries/{recovery_id}/notify"): {
            "path": case,
            "json": {"note": "已书面告知继承人"},
        },
        ("POST", "/api/pensions/recoveries/{recovery_id}/repay"): {
            "path": case,
            "json": {"amount": "1.00", "note": "继承人退还"},
        },
        ("POST", "/api/pensions/recoveries/{recovery_id}/write-off"): {
            "path": case,
            "json": {"reason": "继承人无力退还"},
        },
        ("POST", "/api/pensions/recoveries/{recovery_id}/write-off/decision"): {
            "path": case,
            "json": {"approve": False, "reason": "继续追回"},
        },
    }
