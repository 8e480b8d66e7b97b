"""The recovery case of a pension paid after a death (追回多发养老金) as a table on the case
engine: opened (by the termination) → deductions from the survivors' allowance and the
inheritable balance → the heirs notified → repayments recorded by staff → recovered; or a
write-off proposed by one caseworker and approved by another (maker–checker).
``minsheng cases workflows pensions.recovery`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

WRITE = "pensions:write"
RUN = "pensions:run"

RECOVERY = Workflow(
    name="pensions.recovery",
    title=("追回多发养老金", "ལྷག་སྤྲོད་རྒན་གསོའི་ཕོགས་ཕྱིར་ལེན།", "pension overpayment recovery"),
    subject=("追回案件", "ཕྱིར་ལེན་གྱི་དོན་རྐྱེན།", "recovery case"),
    initial="opened",
    start_deadline="pensions.death.recovery.notify_working_days after opening",
    states=(
        State("opened", ("已立案", "དོན་རྐྱེན་བཙུགས་ཟིན།", "opened"), open=True),
        State(
            "notified", ("已告知继承人", "བགོ་སྐལ་ལེན་མཁན་ལ་བརྡ་ཁྱབ་ཟིན།", "heirs notified"), open=True
        ),
        State(
            "write_off_proposed",
            ("核销待审批", "རྩིས་མེད་གཏོང་རྒྱུ་བསམ་འཆར།", "write-off proposed"),
            open=True,
        ),
        State("recovered", ("已追回", "ཕྱིར་ལེན་ཟིན།", "recovered"), final=True),
        State("written_off", ("已核销", "རྩིས་མེད་བཏང་ཟིན།", "written off"), final=True),
    ),
    steps=(
        Step(
            "deduct",
            ("opened", "notified"),
            ("opened", "notified", "recovered"),
            WRITE,
            ("从遗属待遇中抵扣", "ཕྱིར་ལེན་འཐོབ་ཐང་ནས་བཅད།", "deduct from the survivors' benefits"),
        ),
        Step(
            "notify",
            ("opened",),
            ("notified",),
            WRITE,
            ("告知继承人", "བགོ་སྐལ་ལེན་མཁན་ལ་བརྡ་ཁྱབ།", "notify the heirs"),
            deadline="pensions.death.recovery.repay_working_days",
        ),
        Step(
            "repay",
            ("opened", "notified"),
            ("notified", "recovered"),
            WRITE,
            ("登记继承人退还", "བགོ་སྐལ་ལེན་མཁན་གྱིས་ཕྱིར་སློག", "record a repayment by an heir"),
        ),
        Step(
            "propose_write_off",
            ("opened", "notified"),
            ("write_off_proposed",),
            WRITE,
            ("申请核销", "རྩིས་མེད་གཏོང་རྒྱུའི་རེ་ཞུ།", "propose a write-off"),
            reason=True,
        ),
        Step(
            "write_off",
            ("write_off_proposed",),
            ("written_off",),
            RUN,
            ("审批核销", "རྩིས་མེད་གཏོང་རྒྱུར་ཆོག་མཆན།", "approve the write-off"),
            not_by=("propose_write_off",),
            not_by_text=(
                "核销须由申请人以外的主管审批",
                "རྩིས་མེད་གཏོང་བ་རེ་ཞུ་བ་མིན་པའི་འགོ་འཛིན་གྱིས་ཆོག་མཆན་གནང་དགོས།",
                "a write-off is approved by a supervisor other than the one who proposed it",
            ),
        ),
        Step(
            "reject_write_off",
            ("write_off_proposed",),
            ("notified",),
            RUN,
            ("驳回核销", "རྩིས་མེད་གཏོང་རྒྱུ་ཁས་མི་ལེན།", "refuse the write-off"),
            not_by=("propose_write_off",),
            reason=True,
        ),
    ),
)
