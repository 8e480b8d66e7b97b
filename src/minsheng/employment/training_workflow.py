"""A training course on the case engine (``employment.training_course``): planned → enrolling
(open enrolment) → running (start, on or after its first day) → finished (finish, on or after
its last day: every enrolment is decided then — completion at the attendance share, the
certificate, the subsidy). Each step is a caseworker's (``employment:write``) and leaves a row
of ``em_course_events`` with its audit entry (:func:`minsheng.cases.engine.write_event`).

``minsheng cases workflows`` prints it once listed in ``employment.workflows``' ``WORKFLOWS``
(:data:`WORKFLOWS` here).
"""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

WRITE = "employment:write"

COURSE = Workflow(
    name="employment.training_course",
    title=("职业培训班", "ལས་རིགས་སྦྱོང་བརྡར་འཛིན་གྲྭ།", "training course"),
    subject=("培训班", "སྦྱོང་བརྡར་འཛིན་གྲྭ།", "course"),
    initial="planned",
    states=(
        State("planned", ("计划中", "འཆར་གཞི།", "planned"), open=True),
        State("enrolling", ("报名中", "མིང་འགོད་བཞིན་པ།", "enrolling"), open=True),
        State("running", ("开班中", "སློབ་ཁྲིད་བྱེད་བཞིན་པ།", "running"), open=True),
        State("finished", ("已结业", "མཇུག་སྡོམ་ཟིན།", "finished"), final=True),
    ),
    steps=(
        Step(
            "open_enrolment",
            ("planned",),
            ("enrolling",),
            WRITE,
            ("开始报名", "མིང་འགོད་འགོ་འཛུགས།", "open enrolment"),
        ),
        Step("start", ("enrolling",), ("running",), WRITE, ("开班", "སློབ་ཁྲིད་འགོ་འཛུགས།", "start")),
        Step(
            "finish",
            ("running",),
            ("finished",),
            WRITE,
            ("结业", "མཇུག་སྡོམ།", "finish"),
            deadline="employment.training.placement_months (the placement window after it)",
        ),
    ),
    param="to",
)
ACTION_TO = {"enrolling": "open_enrolment", "running": "start", "finished": "finish"}

WORKFLOWS = (COURSE,)
