"""Social assistance in the microsimulation: yearly 低保 (``rules.determine``), 特困
(``rules.tekun``) and the person benefits (残疾人两项补贴, 高龄补贴) per household, with the
live rules and the parameters in force on ``as_of`` in each household's prefecture."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from minsheng.assistance import rules
from minsheng.policy import ParameterTree
from minsheng.programmes import Columns

I64 = npt.NDArray[np.int64]
OUTPUTS = (
    "dibao",  # 低保
    "tekun",  # 特困
    "person_benefits",  # 残疾人两项补贴, 高龄补贴
)


def _sum(index: I64, values: I64, n: int) -> I64:
    return rules.group_sum(index.astype(np.int64), values.astype(np.int64), n)


def simulate(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Yearly 低保, 特困 and person benefits per household (fen)."""
    h, ps = part.households, part.persons
    n_h = len(h["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in OUTPUTS}
    for region in np.unique(h["prefecture"]):
        p = rules.AssistanceParams.from_snapshot(tree.at(as_of, str(region)))
        sel = np.nonzero(h["prefecture"] == region)[0]
        d = rules.determine(
            p,
            rules.Households(
                h["area"][sel], h["members"][sel], h["income"][sel], h["assets"][sel],
                np.zeros(len(sel), dtype=np.int64),
            ),
        )  # fmt: skip
        out["dibao"][sel] = d.dibao_amount * 12
        members = np.nonzero(h["prefecture"][ps["household"]] == region)[0]
        owner = ps["household"][members]
        is_tekun = ps["group"][members] == 1
        t = rules.tekun(
            p,
            h["area"][owner],
            ps["age"][members],
            ps["grade"][members],
            ps["income"][members],
            np.zeros(len(members), dtype=np.bool_),
            np.zeros(len(members), dtype=np.int64),
        )
        out["tekun"] += _sum(owner, np.where(is_tekun, t.amount, 0) * 12, n_h)
        poor = np.zeros(n_h, dtype=np.bool_)
        poor[sel] = d.dibao
        benefits = rules.person_benefits(
            p, ps["age"][members], ps["grade"][members], poor[owner] | is_tekun,
            np.zeros(len(members), dtype=np.bool_),
        )  # fmt: skip
        monthly: I64 = np.sum(np.stack(list(benefits.values())), axis=0)
        out["person_benefits"] += _sum(owner, monthly * 12, n_h)
    return out
