"""The one-to-one help plan (一对一帮扶) as a table on the case engine: the nightly refresh opens
a plan for each newly hard-to-employ person (帮扶中); the helper caseworker logs contacts,
delivers services (job leads, training offers) and records the person's answers while it is
open; it closes with an outcome — employed (with the hire filed), entered training, declined
help, moved away —, is stopped after the year's refused referrals reach the parameter's limit,
or is ended by the refresh when the person no longer counts (with the reason).
``minsheng cases workflows employment.help`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

READ = "employment:read"
WRITE = "employment:write"
RUN = "employment:run"
OUTCOMES = ("employed", "training", "declined", "moved")
# the outcomes of the person's own doing: a plan they closed is not reopened for a while
PERSONAL = (*OUTCOMES, "stopped")

HELP = Workflow(
    name="employment.help",
    title=("就业困难人员一对一帮扶", "ལས་ཞུགས་དཀའ་བའི་མི་སྣར་གཅིག་གཏོད་རོགས་རམ།", "one-to-one help"),
    subject=("帮扶计划", "རོགས་རམ་འཆར་གཞི།", "help plan"),
    initial="open",
    start_deadline=(
        "first contact within employment.help.plan.contact_working_days, services within "
        "employment.help.plan.working_days working days"
    ),
    states=(
        State("open", ("帮扶中", "རོགས་རམ་བྱེད་བཞིན་པ།", "being helped"), open=True),
        State("employed", ("已就业", "ལས་ཀར་ཞུགས་ཟིན།", "employed"), final=True),
        State("training", ("参加培训", "སྦྱོང་བརྡར་ལ་ཞུགས།", "in training"), final=True),
        State("declined", ("本人拒绝帮扶", "རང་ཉིད་ཀྱིས་ཁས་མ་བླངས།", "declined help"), final=True),
        State("moved", ("已迁出", "གནས་སྤོས་ཟིན།", "moved away"), final=True),
        State(
            "stopped",
            ("多次拒绝，停止帮扶", "ཡང་ཡང་ཁས་མ་བླངས་པས་མཚམས་བཞག", "stopped after refusals"),
            final=True,
        ),
        State(
            "ended",
            ("不再属于困难人员", "ལས་ཞུགས་དཀའ་བའི་མི་སྣ་མིན།", "no longer hard to employ"),
            final=True,
        ),
    ),
    steps=(
        Step(
            "contact",
            ("open",),
            ("open",),
            WRITE,
            ("记录联系", "འབྲེལ་གཏུག་ཐོ་འགོད།", "log a contact"),
        ),
        Step(
            "offer",
            ("open",),
            ("open",),
            WRITE,
            ("提供服务", "ཞབས་ཞུ་མཁོ་སྤྲོད།", "deliver a service"),
            deadline="employment.help.plan.job_leads / training_offers by due_on",
        ),
        Step(
            "respond",
            ("open",),
            ("open", "stopped"),
            WRITE,
            ("记录答复", "ལན་ཐོ་འགོད།", "record the answer"),
            deadline="stopped at employment.help.refusals.limit refusals in a year",
        ),
        Step(
            "close",
            ("open",),
            OUTCOMES,
            WRITE,
            ("记录帮扶结果", "འབྲས་བུ་ཐོ་འགོད།", "record the outcome"),
            reason=True,
            reason_text=("请填写结果说明", "འབྲས་བུའི་གསལ་བཤད་འབྲི་རོགས།", "say what happened"),
        ),
        Step(
            "end",
            ("open",),
            ("ended",),
            RUN,
            ("不再认定", "ངོས་འཛིན་མི་བྱེད།", "no longer counted"),
            reason=True,
        ),
    ),
)

# The steps a person takes on the plan's page (the refresh takes ``end``).
PEOPLE = ("contact", "offer", "respond", "close")

WORKFLOWS = (HELP,)
