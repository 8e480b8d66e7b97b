"""A card's life as a table on the case engine (申领 → 制卡 → 发卡 → 启用 → 挂失 → 补换 / 注销).
``minsheng cases workflows cards.card`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

WRITE = "cards:write"
SELF = "self:card"

CARD = Workflow(
    name="cards.card",
    title=("社会保障卡", "སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུ།", "social-security card"),
    subject=("卡", "བྱང་བུ།", "card"),
    initial="applied",
    states=(
        State("applied", ("已申领", "ཞུ་ཡིག་ཕུལ་ཟིན།", "applied"), open=True),
        State("made", ("已制卡", "བཟོ་ཟིན།", "made"), open=True),
        State("issued", ("已发卡", "སྤྲོད་ཟིན།", "issued"), open=True),
        State("active", ("已启用", "སྤྱོད་འགོ་ཚུགས།", "active")),
        State("lost", ("已挂失", "བོར་བའི་ཐོ་བཀོད།", "reported lost")),
        State("replaced", ("已补换", "ཚབ་བརྗེས།", "replaced"), final=True),
        State("cancelled", ("已注销", "མེད་པར་བཟོས།", "cancelled"), final=True),
    ),
    steps=(
        Step("make", ("applied",), ("made",), WRITE, ("制卡", "བཟོ་བ།", "make")),
        Step("issue", ("made",), ("issued",), WRITE, ("发卡", "སྤྲོད་པ།", "issue")),
        # the holder activates at the window or in the app; staff may do it at the window
        Step("activate", ("issued",), ("active",), SELF, ("启用", "སྤྱོད་འགོ་འཛུགས།", "activate")),
        Step(
            "activate_at_window",
            ("issued",),
            ("active",),
            WRITE,
            ("窗口启用", "སྒེའུ་ཁུང་དུ་སྤྱོད་འགོ་འཛུགས།", "activate at the window"),
        ),
        Step(
            "report_lost",
            ("issued", "active"),
            ("lost",),
            SELF,
            ("挂失", "བོར་བའི་ཐོ།", "report lost"),
        ),
        Step(
            "report_lost_at_window",
            ("issued", "active"),
            ("lost",),
            WRITE,
            ("窗口挂失", "སྒེའུ་ཁུང་དུ་བོར་བའི་ཐོ།", "report lost at the window"),
        ),
        Step(
            "found",
            ("lost",),
            ("active",),
            WRITE,
            ("解挂", "བོར་ཐོ་མེད་པར་བཟོ།", "lift the loss report"),
        ),
        Step(
            "replace",
            ("lost", "active"),
            ("replaced",),
            WRITE,
            ("补换", "ཚབ་བརྗེ།", "replace"),
            reason=True,
        ),
        Step(
            "cancel",
            ("applied", "made", "issued", "active", "lost"),
            ("cancelled",),
            WRITE,
            ("注销", "མེད་པར་བཟོ།", "cancel"),
            reason=True,
        ),
    ),
)

WORKFLOWS = (CARD,)
