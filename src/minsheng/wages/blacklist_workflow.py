"""A listing on the arrears blacklist (失信联合惩戒对象名单, 人社部令第45号) as a table on the case
engine: drafted and proposed by an inspector → approved (listed) or rejected by a supervisor
who did not propose it → the firm's request for early removal, with its written pledge,
entered → removed or refused by one who did not enter it; a listing past its term is ended.
``minsheng cases workflows wages.blacklist`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

INSPECT = "wages:inspect"
WRITE = "wages:write"
RUN = "wages:run"

BLACKLIST = Workflow(
    name="wages.blacklist",
    title=(
        "拖欠农民工工资失信联合惩戒名单",
        "གླ་ཕོགས་བསྒྱངས་པའི་ཡིད་རྟོན་མེད་པའི་མིང་ཐོ།",
        "arrears blacklist",
    ),
    subject=("失信名单", "ཡིད་རྟོན་མེད་པའི་མིང་ཐོ།", "listing"),
    initial="draft",
    states=(
        State("draft", ("草拟", "ཟིན་བྲིས།", "draft"), open=True),
        State("proposed", ("拟列入待审批", "འཇུག་རྒྱུའི་བསམ་འཆར།", "proposed"), open=True),
        State("listed", ("已列入", "མིང་ཐོར་བཀོད་ཟིན།", "listed"), open=True),
        State(
            "removal_requested",
            ("申请提前移出", "སྔོན་ལ་ཕྱིར་འདོན་ཞུ་བ།", "early removal requested"),
            open=True,
        ),
        State("removed", ("已提前移出", "ཕྱིར་བཏོན་ཟིན།", "removed early"), final=True),
        State("ended", ("期满移出", "དུས་ཡུན་ཚང་ནས་ཕྱིར་བཏོན།", "term ended"), final=True),
        State("rejected", ("不予列入", "མི་འཇུག", "not listed"), final=True),
    ),
    steps=(
        Step(
            "propose",
            ("draft",),
            ("proposed",),
            INSPECT,
            ("提出列入", "འཇུག་རྒྱུའི་བསམ་འཆར་འདོན།", "propose the listing"),
        ),
        Step(
            "approve",
            ("proposed",),
            ("listed",),
            RUN,
            ("批准列入", "འཇུག་རྒྱུར་ཆོག་མཆན།", "approve the listing"),
            not_by=("propose",),
            deadline="wages.blacklist.term_years from approval",
            not_by_text=(
                "列入名单须由提出人以外的主管批准",
                "བསམ་འཆར་འདོན་མཁན་མ་ཡིན་པའི་འགོ་འཛིན་གྱིས་ཆོག་མཆན་གནང་དགོས།",
                "a listing is approved by a supervisor other than the one who proposed it",
            ),
        ),
        Step(
            "reject",
            ("proposed",),
            ("rejected",),
            RUN,
            ("不予列入", "མི་འཇུག", "reject the proposal"),
            not_by=("propose",),
            reason=True,
        ),
        Step(
            "request_removal",
            ("listed",),
            ("removal_requested",),
            WRITE,
            ("登记提前移出申请", "སྔོན་ལ་ཕྱིར་འདོན་ཞུ་ཡིག་ཐོར་འགོད།", "enter a request for early removal"),
            reason=True,
            reason_text=(
                "请填写单位的书面信用承诺",
                "ཚོང་ཁང་གི་ཡིད་རྟོན་ཁས་ལེན་ཡི་གེ་འབྲི་རོགས།",
                "give the firm's written pledge",
            ),
        ),
        Step(
            "approve_removal",
            ("removal_requested",),
            ("removed",),
            RUN,
            ("批准提前移出", "སྔོན་ལ་ཕྱིར་འདོན་ཆོག", "approve early removal"),
            not_by=("request_removal",),
        ),
        Step(
            "refuse_removal",
            ("removal_requested",),
            ("listed",),
            RUN,
            ("不予提前移出", "སྔོན་ལ་ཕྱིར་འདོན་མི་ཆོག", "refuse early removal"),
            not_by=("request_removal",),
            reason=True,
        ),
        Step(
            "end",
            ("listed", "removal_requested"),
            ("ended",),
            RUN,
            ("期满移出", "དུས་ཡུན་ཚང་ནས་ཕྱིར་འདོན།", "end the listing at its term"),
        ),
    ),
)
