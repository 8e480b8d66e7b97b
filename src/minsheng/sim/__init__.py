"""Policy analysis (政策分析): a synthetic region-sized population and whole-population what-if
runs of every programme with the live rules, in process or on Dask."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="analysis",
    title=Text("政策分析", "སྲིད་ཇུས་དབྱེ་ཞིབ།", "Policy analysis"),
    summary=Text(
        "政策调整的全人口测算",
        "བཅོས་བསྒྱུར་གྱི་འགྲོ་གྲོན་མི་འབོར་ཡོངས་ལ་རྩིས་རྒྱག",
        "What-if reforms costed over the whole population",
    ),
    rank=90,
    pages=("minsheng.sim.pages:router", "minsheng.sim.scenario_pages:router"),
    models="minsheng.sim.scenarios",
    cli=(("sim", "minsheng.sim.cli:app"),),
    permissions={r: frozenset({"aggregates:read"}) for r in ("supervisor", "analyst", "admin")},
    desks=(
        Link(
            "/analysis",
            Text("政策分析", "སྲིད་ཇུས་དབྱེ་ཞིབ།", "Policy analysis"),
            "aggregates:read",
            rank=20,
        ),
    ),
)
