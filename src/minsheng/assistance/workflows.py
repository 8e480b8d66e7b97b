"""The assistance workflows as tables (on :mod:`minsheng.cases.engine`): a case (申请 → 审核 →
公示 → 确认 / 不予确认 → 复核 → 停发), the same for 临时救助 (no public notice needed before
approval), and a monitoring warning (新预警 → 核实中 → 已救助 / 无需救助). No rules here: what each
step computes is in ``service.py`` and ``monitoring.py``; ``minsheng cases workflows`` prints
these tables."""

from __future__ import annotations

from dataclasses import replace

from minsheng.assistance import vocab
from minsheng.cases.engine import State, Step, Workflow

WRITE = "assistance:write"
DAYS = "assistance.workflow."

_ACT = vocab.ACTIONS
_ST = vocab.STATES
_WST = vocab.WARNING_STATES

CASE_STATES = (
    State("applied", _ST["applied"], open=True),
    State("checking", _ST["checking"], open=True),
    State("notice", _ST["notice"], open=True),
    State("approved", _ST["approved"]),  # in payment; a review is due
    State("rejected", _ST["rejected"], final=True),
    State("stopped", _ST["stopped"], final=True),
)

APPROVE = Step(
    "approve",
    ("notice",),
    ("approved",),
    WRITE,
    _ACT["approve"],
    not_by=("check",),  # maker–checker (审核审批分离)
    deadline=f"review in {DAYS}review_months months (低保/特困); valid "
    "assistance.rigid_expense.validity_months months (低保边缘/刚性支出); after the notice ends",
    not_by_text=(
        "您审核了该申请，不能再由您审批确认；请由另一位经办人员或主管确认",
        "ཞིབ་བཤེར་བྱེད་མཁན་གྱིས་ཆོག་མཆན་སྤྲོད་མི་ཆོག མི་གཞན་ཞིག་གིས་ཆོག་མཆན་སྤྲོད་དགོས།",
        "you checked this case, so you cannot approve it: another caseworker or a supervisor"
        " approves",
    ),
)

CASE = Workflow(
    name="assistance.case",
    title=("社会救助申请", "སྤྱི་ཚོགས་རོགས་སྐྱོར་ཞུ་ཡིག", "social assistance case"),
    subject=("申请", "ཞུ་ཡིག", "case"),
    initial="applied",
    start_deadline=f"check due in {DAYS}check_working_days working days",
    states=CASE_STATES,
    steps=(
        Step("check", ("applied", "checking"), ("checking",), WRITE, _ACT["check"]),
        Step(
            "notice",
            ("checking",),
            ("notice",),
            WRITE,
            _ACT["notice"],
            deadline=f"notice ends after {DAYS}notice_days working days; decision due"
            f" {DAYS}decide_working_days working days later",
        ),
        APPROVE,
        Step(
            "reject",
            ("applied", "checking", "notice"),
            ("rejected",),
            WRITE,
            _ACT["reject"],
            reason=True,
        ),
        Step(
            "review",
            ("approved",),
            ("approved", "stopped"),
            WRITE,
            _ACT["review"],
            deadline=f"next review in {DAYS}review_months months",
        ),
        Step("stop", ("approved",), ("stopped",), WRITE, _ACT["stop"], reason=True),
    ),
)

# 临时救助: decided on the check, without waiting for a public notice.
TEMPORARY = replace(
    CASE,
    name="assistance.case.temporary",
    title=("临时救助申请", "གནས་སྐབས་རོགས་སྐྱོར་ཞུ་ཡིག", "temporary assistance case"),
    steps=tuple(
        replace(s, sources=("checking",), deadline="") if s.action == "approve" else s
        for s in CASE.steps
    ),
)

_OUTCOME = ("办结预警请填写处理情况", "ཉེན་བརྡ་མཇུག་སྒྲིལ་ན་ཐག་གཅོད་གནས་ཚུལ་འབྲི་དགོས།", "give the outcome")

WARNING = Workflow(
    name="assistance.warning",
    title=("低收入人口监测预警", "འབབ་འབྲས་དམའ་བའི་ཉེན་བརྡ།", "monitoring warning"),
    subject=("预警", "ཉེན་བརྡ།", "warning"),
    initial="new",
    start_deadline="handle within assistance.monitoring.deadline_working_days working days",
    param="state",
    states=(
        State("new", _WST["new"], open=True),
        State("checking", _WST["checking"], open=True),
        State("assisted", _WST["assisted"], final=True),
        State("no_action", _WST["no_action"], final=True),
    ),
    steps=(
        Step("check", ("new",), ("checking",), WRITE, ("开始核实", "ཞིབ་བཤེར།", "start checking")),
        Step(
            "assist",
            ("new", "checking"),
            ("assisted",),
            WRITE,
            _WST["assisted"],
            reason=True,
            reason_text=_OUTCOME,
        ),
        Step(
            "no_action",
            ("new", "checking"),
            ("no_action",),
            WRITE,
            _WST["no_action"],
            reason=True,
            reason_text=_OUTCOME,
        ),
    ),
)

WORKFLOWS = (CASE, TEMPORARY, WARNING)


def of_case(programme: str) -> Workflow:
    """The workflow a case of ``programme`` follows."""
    return TEMPORARY if programme == "temporary" else CASE
