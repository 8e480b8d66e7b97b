"""A vacancy's life and a hire's filing as tables on the case engine (``minsheng cases
workflows employment.vacancy`` / ``employment.hire`` prints them).

A vacancy: drafted → published (the posting rules pass) or refused (they do not; the reasons
are kept) → edited back to a draft; a draft, refused or published one is closed by its
employer; a published one closes when its last place is filled or past its closing date (the
daily sweep), or is taken down by a supervisor with a reason.

A hire: recorded ``due`` with its deadline (``employment.labour.hire_filing_days`` calendar
days, art. 62) → filed; a due hire past its deadline is overdue (the caseworker's list).

The services (:mod:`~minsheng.employment.vacancies`, :mod:`~minsheng.employment.hires`) take
every step through :meth:`Workflow.begin` / :meth:`Workflow.finish`; the step's audit entry
is its event (these records keep no separate table of events)."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

EMPLOYER = "employment:employer"
RUN = "employment:run"

VACANCY = Workflow(
    name="employment.vacancy",
    title=("招聘岗位", "ལས་གནས།", "vacancy"),
    subject=("招聘岗位", "ལས་གནས།", "vacancy"),
    initial="draft",
    states=(
        State("draft", ("草稿", "ཟིན་བྲིས།", "draft"), open=True),
        State("refused", ("未通过", "ཁས་མ་བླངས།", "refused"), open=True),
        State("published", ("已发布", "ཁྱབ་བསྒྲགས་བྱས།", "published"), open=True),
        State("closed", ("已关闭", "སྒོ་བརྒྱབ།", "closed"), final=True),
        State("taken_down", ("已下架", "ཕྱིར་བླངས།", "taken down"), final=True),
    ),
    steps=(
        Step(
            "edit",
            ("draft", "refused"),
            ("draft",),
            EMPLOYER,
            ("修改", "བཅོས།", "edit"),
        ),
        Step(
            "publish",
            ("draft", "refused"),
            ("published", "refused"),
            EMPLOYER,
            ("发布", "ཁྱབ་བསྒྲགས།", "publish"),
        ),
        Step(
            "close",
            ("draft", "refused", "published"),
            ("closed",),
            EMPLOYER,
            ("关闭", "སྒོ་རྒྱག", "close"),
        ),
        Step(
            "fill",
            ("published",),
            ("closed",),
            EMPLOYER,
            ("招满", "ཁ་ཚང་།", "fill the last place"),
        ),
        Step(
            "expire",
            ("published",),
            ("closed",),
            RUN,
            ("截止关闭", "དུས་ཚོད་རྫོགས།", "close past the closing date"),
            deadline="closing_on",
        ),
        Step(
            "take_down",
            ("published",),
            ("taken_down",),
            RUN,
            ("下架", "ཕྱིར་ལེན།", "take down"),
            reason=True,
            reason_text=("请填写下架理由", "རྒྱུ་མཚན་འབྲི་དགོས།", "give the reason"),
        ),
    ),
)

HIRE = Workflow(
    name="employment.hire",
    title=("用工登记备案", "ལས་བཅོལ་ཐོ་འགོད།", "hire filing"),
    subject=("用工备案", "ལས་བཅོལ་ཐོ་འགོད།", "hire"),
    initial="due",
    states=(
        State("due", ("待备案", "ཐོ་འགོད་བྱ་རྒྱུ།", "to file"), open=True),
        State("filed", ("已备案", "ཐོ་འགོད་བྱས།", "filed"), final=True),
    ),
    steps=(
        Step(
            "file",
            ("due",),
            ("filed",),
            EMPLOYER,
            ("备案", "ཐོ་འགོད།", "file"),
        ),
    ),
    start_deadline="employment.labour.hire_filing_days from hired_on (calendar days)",
)

WORKFLOWS = (VACANCY, HIRE)
