"""A bundle's life on the case engine: received → done (every part carried out, in one
transaction) or refused (one part refused; every part undone). ``minsheng cases workflows
bundles.bundle`` prints it."""

from __future__ import annotations

from minsheng.cases.engine import State, Step, Workflow

APPLY = "bundles:apply"

BUNDLE = Workflow(
    name="bundles.bundle",
    title=("一件事一次办", "ལས་དོན་གཅིག་ཐེངས་གཅིག་ལ་སྒྲུབ།", "one-visit bundle"),
    subject=("一件事", "ལས་དོན།", "bundle"),
    initial="received",
    states=(
        State("received", ("已受理", "ལེན་ཟིན།", "received"), open=True),
        State("done", ("已办结", "གྲུབ་ཟིན།", "done"), final=True),
        State("refused", ("未办成", "མ་གྲུབ།", "refused"), final=True),
    ),
    steps=(
        Step("complete", ("received",), ("done",), APPLY, ("办结", "སྒྲུབ་པ།", "complete")),
        Step("refuse", ("received",), ("refused",), APPLY, ("不予办理", "ཁས་མ་བླངས།", "refuse")),
    ),
)

WORKFLOWS = (BUNDLE,)
