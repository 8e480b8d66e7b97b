"""Medical security: one-stop, one-bill settlement (一站式、一单制) of basic insurance,
critical-illness insurance (大病保险 / 大额医疗补助) and medical assistance (医疗救助)."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="medical",
    title=Text("医疗保障", "གསོ་བཅོས་འགན་ལེན།", "Medical security"),
    summary=Text(
        "基本医保、大病保险、医疗救助一站式、一单制结算",
        "རྨང་གཞིའི་གསོ་བཅོས་འགན་ལེན་དང་། ནད་ཆེན་འགན་ལེན། གསོ་བཅོས་རམ་འདེགས་བཅས་གནས་གཅིག་ཏུ་ཐོ་གཅིག་གིས་རྩིས་སྒྲིག",
        "One-stop, one-bill settlement of basic insurance, critical-illness insurance "
        "and medical assistance",
    ),
    rank=10,
    api=("minsheng.medical.api:router",),
    pages=("minsheng.medical.pages:router", "minsheng.medical.day_pages:router"),
    cli=(("medical", "minsheng.medical.cli:app"),),
    models="minsheng.medical.models",
    permissions={
        "cashier": frozenset({"medical:settle", "medical:read"}),
        "caseworker": frozenset({"medical:settle", "medical:read"}),
        "supervisor": frozenset({"medical:settle", "medical:read"}),
    },
    desks=(
        Link(
            "/medical/cashier",
            Text("结算", "ཐོ་ཁྲ་རྩིས་སྒྲིག", "Settle a bill"),
            "medical:settle",
            rank=10,
        ),
    ),
    panels=(
        Link(
            "/me/medical",
            Text("我的医疗结算", "ངའི་གསོ་བཅོས་རྩིས་སྒྲིག", "My medical settlements"),
            "self:read",
            rank=10,
        ),
    ),
    parameters=("medical.",),
    microsim="minsheng.medical.microsim:simulate",
    outputs=(
        "medical_basic",
        "medical_critical",
        "medical_assistance",
        "medical_tilted",
        "medical_commercial",
    ),
    outputs_where_paid=("medical_tilted", "medical_commercial"),  # medical/microsim.py
)
