"""What other packages may ask of assistance (the published writes). The one-visit death
bundle (``minsheng.bundles``) calls :func:`redetermine_household` after a member's death is
recorded, so the household's 低保 (and 特困 …) are determined again on who is alive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from minsheng.assistance import service
from minsheng.foundation.principals import Principal

#: Cases re-determined when the household changes: those paid monthly (a 临时救助 is a one-off).
MONTHLY = ("dibao", "tekun", "dibao_edge", "rigid_expense")


def redetermine_household(
    session: Session, household_id: int | None, by: Principal, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Re-run the determination of every case in payment (state ``approved``) of the household
    through the existing 复核 step (``service.act(..., "review")``: assessed again on the
    members alive on ``today``; still eligible → the new monthly amount, else stopped, and the
    statuses it conferred end). Each step is checked by the case engine (permission,
    maker–checker) and audited. Returns what changed, one entry per case; none when the
    household has no case in payment."""
    if household_id is None:
        return []
    out = []
    for case in service.household_cases(session, household_id):
        if case.state != "approved" or case.programme not in MONTHLY:
            continue
        before = case.monthly_amount
        service.get_case(session, case.id, by)  # region scope: elsewhere answers as missing
        after = service.act(session, case.id, "review", by, today=today)
        out.append(
            {
                "case_id": after.id,
                "programme": after.programme,
                "before": before,
                "after": after.monthly_amount if after.state == "approved" else 0,
                "state": after.state,
            }
        )
    return out
