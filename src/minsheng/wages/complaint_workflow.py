"""The arrears complaint (欠薪投诉) as a table on the case engine: received (by any office or
online) → accepted and investigated, or refused, within ``accept_working_days`` (5) working
days → investigation within ``investigate_working_days`` (60), extended once by
``investigate_extension_working_days`` (30) when one inspector asks and a supervisor who did not
ask approves (maker–checker) → referred to arbitration (``arbitration_days`` 45 calendar days,
+15 once) → closed with an outcome, the amount recovered and a reason. Every close has a
reason. ``minsheng cases workflows wages.complaint`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

INSPECT = "wages:inspect"
RUN = "wages:run"
P = "wages.complaints."

COMPLAINT = Workflow(
    name="wages.complaint",
    title=("欠薪投诉", "གླ་ཕོགས་བསྒྱངས་པའི་ཞུ་གཏུག", "arrears complaint"),
    subject=("投诉", "ཞུ་གཏུག", "complaint"),
    initial="received",
    start_deadline=f"{P}accept_working_days after receipt",
    states=(
        State("received", ("已收到，待受理", "ཞུ་གཏུག་འབྱོར་ཟིན།", "received"), open=True),
        State(
            "investigating",
            ("已受理，调查中", "ཞིབ་བཤེར་བྱེད་བཞིན།", "accepted, under investigation"),
            open=True,
        ),
        State(
            "extension_requested",
            ("调查延期待批", "དུས་འགྱངས་ཆོག་མཆན་སྒུག་བཞིན།", "extension awaiting approval"),
            open=True,
        ),
        State(
            "referred",
            ("已移送仲裁", "གྲོས་ཆོད་ལ་སྤྲད་ཟིན།", "referred to arbitration"),
            open=True,
        ),
        State("refused", ("不予受理", "ཁས་མི་ལེན།", "not accepted"), final=True),
        State("closed", ("已结案", "མཇུག་སྒྲིལ་ཟིན།", "closed"), final=True),
    ),
    steps=(
        Step(
            "accept",
            ("received",),
            ("investigating",),
            INSPECT,
            ("受理立案", "ཁས་ལེན་ནས་ཞིབ་བཤེར་འགོ་འཛུགས།", "accept and investigate"),
            deadline=f"{P}investigate_working_days",
        ),
        Step(
            "refuse",
            ("received",),
            ("refused",),
            INSPECT,
            ("不予受理", "ཁས་མི་ལེན།", "refuse"),
            reason=True,
            reason_text=(
                "请填写不予受理的理由",
                "ཁས་མི་ལེན་པའི་རྒྱུ་མཚན་འབྲི་དགོས།",
                "give the reason for refusing",
            ),
        ),
        Step(
            "request_extension",
            ("investigating",),
            ("extension_requested",),
            INSPECT,
            ("申请延长调查期限", "ཞིབ་བཤེར་དུས་འགྱངས་ཞུ།", "ask to extend the investigation"),
            reason=True,
        ),
        Step(
            "approve_extension",
            ("extension_requested",),
            ("investigating",),
            RUN,
            ("批准延期", "དུས་འགྱངས་ཆོག་མཆན།", "approve the extension"),
            not_by=("request_extension",),
            deadline=f"{P}investigate_extension_working_days",
            not_by_text=(
                "延期须由申请人以外的主管批准",
                "དུས་འགྱངས་ཞུ་མཁན་མིན་པའི་འགོ་འཛིན་གྱིས་ཆོག་མཆན་གནང་དགོས།",
                "an extension is approved by a supervisor other than the one who asked for it",
            ),
        ),
        Step(
            "reject_extension",
            ("extension_requested",),
            ("investigating",),
            RUN,
            ("不批准延期", "དུས་འགྱངས་ཆོག་མཆན་མི་གནང་།", "refuse the extension"),
            not_by=("request_extension",),
            reason=True,
        ),
        Step(
            "refer",
            ("investigating",),
            ("referred",),
            INSPECT,
            ("移送劳动争议仲裁", "ལས་ཀའི་རྩོད་གཞི་གྲོས་ཆོད་ལ་སྤྲོད།", "refer to arbitration"),
            reason=True,
            deadline=f"{P}arbitration_days (calendar days)",
        ),
        Step(
            "extend_referral",
            ("referred",),
            ("referred",),
            INSPECT,
            ("登记仲裁延期", "གྲོས་ཆོད་དུས་འགྱངས་ཐོ་འགོད།", "record the arbitration's extension"),
            reason=True,
            deadline=f"{P}arbitration_extension_days (calendar days)",
        ),
        Step(
            "close",
            ("investigating", "referred"),
            ("closed",),
            INSPECT,
            ("结案", "མཇུག་སྒྲིལ།", "close"),
            reason=True,
            reason_text=(
                "结案须填写理由",
                "མཇུག་སྒྲིལ་བའི་རྒྱུ་མཚན་འབྲི་དགོས།",
                "every close gives a reason",
            ),
        ),
        Step(
            "withdraw",
            ("received", "investigating", "extension_requested", "referred"),
            ("closed",),
            INSPECT,
            ("登记投诉人撤回", "ཞུ་གཏུག་ཕྱིར་འཐེན་ཐོ་འགོད།", "record the worker's withdrawal"),
            reason=True,
        ),
    ),
)

#: what each outcome may close: the step that records it
OUTCOME_STEPS = {
    "recovered": "close",
    "settled": "close",
    "not_founded": "close",
    "arbitrated": "close",
    "transferred": "close",
    "withdrawn": "withdraw",
    "refused": "refuse",
}
