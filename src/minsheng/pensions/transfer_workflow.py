"""The stored transfer (转移接续 / 城乡衔接) as a table on the case engine: applied → the place
moving from (转出地) confirms and sends the contribution record → it transfers the funds → the
place moving to (转入地) receives them and credits the account → done; or refused with a
reason before the funds move. Each step is due ``step_working_days`` (15) working days after
the one before (国办发〔2009〕66号 art. 8; 人社部发〔2014〕17号 art. 8 for the link).
``minsheng cases workflows pensions.transfer`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

WRITE = "pensions:write"
DAYS = "pensions.employee.transfer.step_working_days"

#: which side takes each step: the place moving from ("out") or moving to ("in")
SIDES = {"confirm": "out", "send": "out", "receive": "in", "refuse": "either"}

TRANSFER = Workflow(
    name="pensions.transfer",
    title=("养老保险关系转移接续", "རྒན་གསོའི་འགན་ལེན་སྤོ་སྒྱུར།", "pension transfer"),
    subject=("转移", "སྤོ་སྒྱུར།", "transfer"),
    initial="applied",
    start_deadline=f"{DAYS} after the application",
    states=(
        State("applied", ("已申请", "རེ་ཞུ་བྱས་ཟིན།", "applied"), open=True),
        State(
            "confirmed",
            ("转出地已审核", "ཕྱིར་སྤོའི་ས་ནས་ཞིབ་བཤེར་ཟིན།", "confirmed by the place moving from"),
            open=True,
        ),
        State("sent", ("基金已转出", "མா་རྩ་ཕྱིར་བསྐུར་ཟིན།", "funds sent"), open=True),
        State("done", ("已办结", "ལེགས་གྲུབ།", "done"), final=True),
        State("refused", ("不予办理", "ཁས་མི་ལེན།", "refused"), final=True),
    ),
    steps=(
        Step(
            "confirm",
            ("applied",),
            ("confirmed",),
            WRITE,
            (
                "转出地审核并出具参保缴费凭证",
                "ཕྱིར་སྤོའི་ས་ནས་ཞིབ་བཤེར་བྱས་ཏེ་འབབ་འཇལ་ཡིག་ཆ་སྐུར།",
                "confirm and send the contribution record (place moving from)",
            ),
            deadline=DAYS,
        ),
        Step(
            "send",
            ("confirmed",),
            ("sent",),
            WRITE,
            (
                "转出地转移基金",
                "ཕྱིར་སྤོའི་ས་ནས་མா་རྩ་ཕྱིར་བསྐུར།",
                "transfer the funds (place moving from)",
            ),
            deadline=DAYS,
        ),
        Step(
            "receive",
            ("sent",),
            ("done",),
            WRITE,
            (
                "转入地接收基金并记入个人账户",
                "ནང་སྤོའི་ས་ནས་མா་རྩ་བླངས་ཏེ་རྩིས་ཐོར་བཅུག",
                "receive the funds and credit the account (place moving to)",
            ),
        ),
        Step(
            "refuse",
            ("applied", "confirmed"),
            ("refused",),
            WRITE,
            ("不予办理", "ཁས་མི་ལེན།", "refuse the transfer"),
            reason=True,
            reason_text=("请填写不予办理的理由", "རྒྱུ་མཚན་འབྲི་དགོས།", "give the reason for refusing"),
        ),
    ),
)
