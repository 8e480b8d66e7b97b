"""Social assistance (社会救助): 低保, 特困, 低保边缘 and 刚性支出困难 families.

Decisions, the monthly payment roll, person benefits, and the dynamic monitoring and early
warning of low-income people (低收入人口动态监测预警).
"""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="assistance",
    title=Text("社会救助", "སྤྱི་ཚོགས་རམ་འདེགས།", "Social assistance"),
    summary=Text(
        "最低生活保障、特困人员救助供养、低保边缘家庭、动态监测预警",
        "འཚོ་བའི་མཐིལ་འགན་ལེན། དཀའ་ངལ་ཆེས་ཆེ་བའི་མི་སྣར་རམ་འདེགས། མཐའ་མཚམས་ཁྱིམ་ཚང་། སྔོན་བརྡ།",
        "Minimum living allowance, extreme-poverty support, edge families, early warning",
    ),
    rank=20,
    api=("minsheng.assistance.api:router",),
    pages=("minsheng.assistance.pages:router", "minsheng.assistance.run_pages:router"),
    cli=(("assistance", "minsheng.assistance.cli:app"),),
    models="minsheng.assistance.models",
    permissions={
        "caseworker": frozenset({"assistance:read", "assistance:write"}),
        "supervisor": frozenset(
            {
                "assistance:read",
                "assistance:write",
                "assistance:run",
                "assistance:import",  # benefit decisions taken elsewhere, with their certificate
            }
        ),
    },
    desks=(
        Link(
            "/assistance",
            Text("救助工作台", "རོགས་སྐྱོར་ལས་དོན་རེའུ་མིག", "Assistance queue"),
            "assistance:read",
            rank=30,
        ),
        Link(
            "/assistance/runs",
            Text("发放与预警扫描", "འགྲེམ་སྤྲོད་དང་ཉེན་བརྡའི་ཞིབ་བཤེར།", "Payment rolls and scans"),
            "assistance:run",
            rank=35,
        ),
    ),
    panels=(
        Link(
            "/me/assistance",
            Text("我的救助待遇", "ངའི་རོགས་སྐྱོར་ཐོབ་ཐང་།", "My benefits"),
            "self:read",
            rank=20,
        ),
    ),
    # 低保 and the rigid-expense test read the region's consumption and income statistics
    parameters=("assistance.", "economy."),
    microsim="minsheng.assistance.microsim:simulate",
    outputs=("dibao", "tekun", "person_benefits"),
)
