"""The life of a pension award and its yearly certification (待遇领取资格认证) as tables on the
case engine. ``minsheng cases workflows pensions.award`` / ``pensions.certification`` print them."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow
from minsheng.pensions.recovery_workflow import RECOVERY
from minsheng.pensions.transfer_workflow import TRANSFER

WRITE = "pensions:write"
RUN = "pensions:run"
SELF = "self:read"

AWARD = Workflow(
    name="pensions.award",
    title=("养老金待遇", "རྒན་གསོའི་ཐོབ་ཐང་།", "pension award"),
    subject=("待遇", "ཐོབ་ཐང་།", "award"),
    initial="active",
    states=(
        State("active", ("正常发放", "རྒྱུན་ལྡན་སྤྲོད་བཞིན།", "active")),
        State("suspended", ("暂停发放", "གནས་སྐབས་མཚམས་འཇོག", "suspended")),
        State("terminated", ("终止", "མཇུག་སྒྲིལ།", "terminated"), final=True),
    ),
    steps=(
        Step("certify", ("active",), ("active",), WRITE, ("认证", "ར་སྤྲོད།", "certify")),
        Step(
            "certify_self",
            ("active",),
            ("active",),
            SELF,
            ("本人认证", "རང་ཉིད་ཀྱིས་ར་སྤྲོད།", "certified by the claimant"),
        ),
        Step(
            "suspend",
            ("active",),
            ("suspended",),
            RUN,
            ("逾期暂停", "དུས་ཡོལ་མཚམས་འཇོག", "suspend (certification overdue)"),
        ),
        Step(
            "resume",
            ("suspended",),
            ("active",),
            WRITE,
            ("认证后恢复", "ར་སྤྲོད་རྗེས་སླར་གསོ།", "resume (certified again)"),
        ),
        Step(
            "resume_self",
            ("suspended",),
            ("active",),
            SELF,
            ("本人认证后恢复", "རང་ཉིད་ར་སྤྲོད་རྗེས་སླར་གསོ།", "resume (the claimant certified)"),
        ),
        Step(
            "terminate",
            ("active", "suspended"),
            ("terminated",),
            WRITE,
            ("死亡终止", "འདས་པས་མཇུག་སྒྲིལ།", "terminate (death)"),
            reason=True,
        ),
    ),
)

CERTIFICATION = Workflow(
    name="pensions.certification",
    title=("待遇领取资格认证", "ཐོབ་ཐང་ལེན་པའི་ཁྱད་ཚད་ར་སྤྲོད།", "pension certification"),
    subject=("认证任务", "ར་སྤྲོད་ལས་འགན།", "certification task"),
    initial="open",
    start_deadline="pensions.certification.interval_months after the last certification",
    states=(
        State("open", ("待认证", "ར་སྤྲོད་སྒུག་བཞིན།", "open"), open=True),
        State("lapsed", ("逾期（已暂停发放）", "དུས་ཡོལ།", "lapsed (award suspended)"), open=True),
        State("certified", ("已认证", "ར་སྤྲོད་ཟིན།", "certified"), final=True),
        State("closed", ("因死亡关闭", "འདས་པས་ཁ་བརྒྱབ།", "closed (death)"), final=True),
    ),
    steps=(
        Step(
            "face",
            ("open", "lapsed"),
            ("certified",),
            SELF,
            ("本人刷脸认证", "རང་ཉིད་ཀྱི་གདོང་ངོས་ར་སྤྲོད།", "own face check"),
        ),
        Step(
            "visit",
            ("open", "lapsed"),
            ("certified",),
            WRITE,
            ("上门认证", "ཁྱིམ་དུ་ཕེབས་ནས་ར་སྤྲོད།", "home visit"),
            reason=True,
        ),
        Step(
            "match",
            ("open", "lapsed"),
            ("certified",),
            RUN,
            ("数据比对认证", "གཞི་གྲངས་བསྡུར་ནས་ར་སྤྲོད།", "certified by data matching"),
        ),
        Step("lapse", ("open",), ("lapsed",), RUN, ("逾期", "དུས་ཡོལ།", "lapse (overdue)")),
        Step(
            "close",
            ("open", "lapsed"),
            ("closed",),
            WRITE,
            ("死亡关闭", "འདས་པས་ཁ་རྒྱག", "close (death)"),
            reason=True,
        ),
    ),
)

WORKFLOWS = (AWARD, CERTIFICATION, RECOVERY, TRANSFER)
