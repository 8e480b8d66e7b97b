"""The monitoring warning (监控预警) as a table on the case engine: raised by the scan (新预警)
→ the county inspector checks it (核查中) → rectified (已整改, with what was done), or proposed
as unfounded by one inspector and confirmed by a supervisor other than them (maker–checker:
不实预警须经另一人审核); the scan raises its level (escalate) and resolves it when its cause is
gone (resolved). Every close carries a reason. ``minsheng cases workflows wages.warning``
prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

INSPECT = "wages:inspect"
RUN = "wages:run"
OPEN_STATES = ("new", "checking", "unfounded_proposed")

_REASON = ("请填写处理情况", "ལས་དོན་ཇི་ལྟར་བསྒྲུབས་པ་འབྲི་རོགས།", "give what was done")

WARNING = Workflow(
    name="wages.warning",
    title=("欠薪监控预警", "གླ་ཕོགས་བསྒྱངས་པའི་ཉེན་བརྡ།", "wage arrears warning"),
    subject=("预警", "ཉེན་བརྡ།", "warning"),
    initial="new",
    start_deadline="handle within wages.warnings.handle_working_days.<level> working days",
    states=(
        State("new", ("新预警", "ཉེན་བརྡ་གསར་པ།", "new"), open=True),
        State("checking", ("核查中", "ཞིབ་བཤེར་བྱེད་བཞིན་པ།", "checking"), open=True),
        State(
            "unfounded_proposed",
            ("不实待审核", "ཉེན་བརྡ་མི་བདེན་པའི་བསམ་འཆར།", "proposed unfounded"),
            open=True,
        ),
        State("rectified", ("已整改", "ཡ་བསྒྲིགས་ཟིན།", "rectified"), final=True),
        State("unfounded", ("预警不实", "ཉེན་བརྡ་མི་བདེན།", "unfounded"), final=True),
        State(
            "resolved", ("已自动消除", "རང་འགུལ་གྱིས་མེད་པར་བཏང་།", "resolved by the scan"), final=True
        ),
    ),
    steps=(
        Step(
            "check",
            ("new",),
            ("checking",),
            INSPECT,
            ("开始核查", "ཞིབ་བཤེར་འགོ་འཛུགས།", "start checking"),
        ),
        Step(
            "rectify",
            ("new", "checking"),
            ("rectified",),
            INSPECT,
            ("整改完毕", "ཡ་བསྒྲིགས་ཟིན།", "rectified"),
            reason=True,
            reason_text=_REASON,
        ),
        Step(
            "propose_unfounded",
            ("new", "checking"),
            ("unfounded_proposed",),
            INSPECT,
            ("报预警不实", "ཉེན་བརྡ་མི་བདེན་པར་སྙན་ཞུ།", "propose as unfounded"),
            reason=True,
            reason_text=("请说明预警不实的理由", "རྒྱུ་མཚན་འབྲི་རོགས།", "say why it is unfounded"),
        ),
        Step(
            "confirm_unfounded",
            ("unfounded_proposed",),
            ("unfounded",),
            RUN,
            ("确认预警不实", "ཉེན་བརྡ་མི་བདེན་པར་ཆོག་མཆན།", "confirm unfounded"),
            not_by=("propose_unfounded",),
            reason=True,
            reason_text=("请填写审核意见", "ཞིབ་བཤེར་བསམ་ཚུལ་འབྲི་རོགས།", "give the review's reason"),
            not_by_text=(
                "预警不实须由报告人以外的主管确认",
                "ཉེན་བརྡ་མི་བདེན་པ་སྙན་ཞུ་བ་མིན་པའི་འགོ་འཛིན་གྱིས་ཆོག་མཆན་གནང་དགོས།",
                "an unfounded warning is confirmed by a supervisor other than the one who "
                "proposed it",
            ),
        ),
        Step(
            "reject_unfounded",
            ("unfounded_proposed",),
            ("checking",),
            RUN,
            ("退回核查", "ཡང་བསྐྱར་ཞིབ་བཤེར།", "send back to checking"),
            not_by=("propose_unfounded",),
            reason=True,
        ),
        Step(
            "escalate",
            OPEN_STATES,
            OPEN_STATES,
            RUN,
            ("预警升级", "ཉེན་བརྡའི་རིམ་པ་འཕར།", "raise the level"),
            deadline="wages.warnings.handle_working_days.<new level> working days (the earlier)",
        ),
        Step(
            "resolve",
            OPEN_STATES,
            ("resolved",),
            RUN,
            ("原因消除", "རྒྱུ་རྐྱེན་མེད་པར་གྱུར།", "cause cleared"),
            reason=True,
        ),
    ),
)

# The steps a person takes on the queue page (the scan takes escalate and resolve).
PEOPLE = ("check", "rectify", "propose_unfounded", "confirm_unfounded", "reject_unfounded")

WORKFLOWS = (WARNING,)
