"""The case engine: states and transitions as a table, who may take each step (maker–checker),
deadlines in working days, events, region queues and assignment — shared by every programme's
casework. See :mod:`minsheng.cases.engine`."""

from minsheng.programmes import Programme, Text

PROGRAMME = Programme(
    name="cases",
    kind="service",
    title=Text("案件", "ལས་དོན།", "Case engine"),
    cli=(("cases", "minsheng.cases.cli:app"),),
)
