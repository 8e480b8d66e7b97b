"""The gig market on the case engine: an application (``employment.gig``) and a posting
(``employment.gig_posting``), each a table of steps.

An application: applied → accepted by the poster (up to the gig's slots) or declined → the
worker checks in on a day of the gig → the poster marks it completed → the poster records the
pay → the worker confirms it (done) or disputes it (a follow-up for a caseworker, due
``employment.gig.dispute_working_days`` working days later) → the caseworker settles it with a
reason. The worker may withdraw before checking in; a supervisor's take-down cancels the
applications not yet worked.

The poster is an employer's recruiter (``employment:employer``) or, for a gig a caseworker
posted for an individual employer, a caseworker (``employment:write``): the same table with the
poster's permission, :data:`GIG` and :data:`GIG_OFFICE`. ``minsheng cases workflows`` prints
them once listed in ``employment.workflows``' ``WORKFLOWS`` (:data:`WORKFLOWS` here).
"""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

EMPLOYER = "employment:employer"
WRITE = "employment:write"
RUN = "employment:run"
SELF = "self:jobs"
P = "employment.gig."

STATES = (
    State("applied", ("已报名", "མིང་ཐོ་བཀོད་ཟིན།", "applied"), open=True),
    State("accepted", ("已录用", "ལེན་ཟིན།", "accepted"), open=True),
    State("declined", ("未录用", "མ་བླངས།", "not taken"), final=True),
    State("withdrawn", ("已撤回", "ཕྱིར་འཐེན་བྱས།", "withdrawn"), final=True),
    State("checked_in", ("已签到", "ལས་ལ་འབྱོར་ཟིན།", "checked in"), open=True),
    State(
        "completed",
        ("已完工，待记录工资", "ལས་ཚར་ཟིན། གླ་ཕོགས་སྒུག་བཞིན།", "done, pay to record"),
        open=True,
    ),
    State(
        "paid",
        ("工资已记录，待确认", "གླ་ཕོགས་ཐོ་བཀོད་ཟིན། ངོས་ལེན་སྒུག་བཞིན།", "pay recorded, to confirm"),
        open=True,
    ),
    State("confirmed", ("工资已确认", "གླ་ཕོགས་ངོས་ལེན་བྱས་ཟིན།", "pay confirmed"), final=True),
    State(
        "disputed",
        ("工资有争议，跟进中", "གླ་ཕོགས་ལ་རྩོད་གཞི་ཡོད།", "pay disputed, followed up"),
        open=True,
    ),
    State("settled", ("争议已处理", "རྩོད་གཞི་ཐག་བཅད་ཟིན།", "dispute settled"), final=True),
)


def _application(name: str, poster: str) -> Workflow:
    return Workflow(
        name=name,
        title=("零工报名", "གནས་སྐབས་ལས་ཀའི་མིང་ཐོ།", "gig application"),
        subject=("报名", "མིང་ཐོ།", "gig application"),
        initial="applied",
        states=STATES,
        steps=(
            Step("accept", ("applied",), ("accepted",), poster, ("录用", "ལེན།", "accept")),
            Step("decline", ("applied",), ("declined",), poster, ("不录用", "མི་ལེན།", "decline")),
            Step(
                "withdraw",
                ("applied", "accepted"),
                ("withdrawn",),
                SELF,
                ("撤回报名", "མིང་ཐོ་ཕྱིར་འཐེན།", "withdraw"),
            ),
            Step("check_in", ("accepted",), ("checked_in",), SELF, ("签到", "འབྱོར་ཐོ།", "check in")),
            Step(
                "complete",
                ("checked_in",),
                ("completed",),
                poster,
                ("确认完工", "ལས་ཚར།", "mark done"),
            ),
            Step(
                "record_pay",
                ("completed",),
                ("paid",),
                poster,
                ("记录已付工资", "སྤྲད་པའི་གླ་ཕོགས་ཐོ་འགོད།", "record the pay"),
            ),
            Step(
                "confirm",
                ("paid",),
                ("confirmed",),
                SELF,
                ("确认工资", "གླ་ཕོགས་ངོས་ལེན།", "confirm the pay"),
            ),
            Step(
                "dispute",
                ("completed", "paid"),
                ("disputed",),
                SELF,
                ("对工资有异议", "གླ་ཕོགས་ལ་རྩོད་པ།", "dispute the pay"),
                reason=True,
                deadline=f"{P}dispute_working_days",
                reason_text=(
                    "请说明工资的问题",
                    "གླ་ཕོགས་ཀྱི་དཀའ་ངལ་འབྲི་དགོས།",
                    "say what is wrong with the pay",
                ),
            ),
            Step(
                "settle",
                ("disputed",),
                ("settled",),
                WRITE,
                ("处理工资争议", "རྩོད་གཞི་ཐག་གཅོད།", "settle the dispute"),
                reason=True,
            ),
            Step(
                "cancel",
                ("applied", "accepted"),
                ("declined",),
                RUN,
                ("随岗位下架取消", "ལས་གནས་བཀག་པས་མེད་པར་བཟོས།", "cancel with the take-down"),
                reason=True,
            ),
        ),
    )


def _posting(name: str, poster: str) -> Workflow:
    return Workflow(
        name=name,
        title=("零工岗位", "གནས་སྐབས་ལས་གནས།", "gig posting"),
        subject=("零工岗位", "གནས་སྐབས་ལས་གནས།", "gig"),
        initial="open",
        states=(
            State("open", ("招用中", "མི་འཚོལ་བཞིན།", "open"), open=True),
            State("closed", ("已截止", "མཇུག་སྒྲིལ་ཟིན།", "closed")),
            State("taken_down", ("已下架", "བཀག་ཟིན།", "taken down"), final=True),
        ),
        steps=(
            Step("close", ("open",), ("closed",), poster, ("截止招用", "མི་འཚོལ་མཚམས་འཇོག", "close")),
            Step(
                "take_down",
                ("open", "closed"),
                ("taken_down",),
                RUN,
                ("下架", "བཀག", "take down"),
                reason=True,
                reason_text=(
                    "下架须填写理由",
                    "བཀག་པའི་རྒྱུ་མཚན་འབྲི་དགོས།",
                    "a take-down gives a reason",
                ),
            ),
        ),
    )


GIG = _application("employment.gig", EMPLOYER)
GIG_OFFICE = _application("employment.gig_office", WRITE)
POSTING = _posting("employment.gig_posting", EMPLOYER)
POSTING_OFFICE = _posting("employment.gig_posting_office", WRITE)
WORKFLOWS = (GIG, GIG_OFFICE, POSTING, POSTING_OFFICE)
POSTER_STEPS = ("accept", "decline", "complete", "record_pay")
WORKER_STEPS = ("withdraw", "check_in", "confirm", "dispute")

__all__ = [
    "GIG",
    "GIG_OFFICE",
    "POSTER_STEPS",
    "POSTING",
    "POSTING_OFFICE",
    "WORKER_STEPS",
    "WORKFLOWS",
]
