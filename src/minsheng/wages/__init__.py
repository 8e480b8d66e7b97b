"""Wage protection (根治欠薪): construction projects and their firms, real-name workers and
their attendance, monthly pay through the project's dedicated wage account, wage deposits,
monitoring and early warning, arrears complaints handled region-wide, and the blacklist."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="wages",
    title=Text("根治欠薪", "གླ་ཕོགས་འགན་ལེན།", "Wage protection"),
    summary=Text(
        "建筑工人实名制、工资专用账户与代发、工资保证金、监控预警、欠薪投诉、失信名单",
        "མིང་ངོ་མའི་འཛུགས་སྐྲུན་ལས་མི། གླ་ཕོགས་ཆེད་སྤྱོད་རྩིས་ཁྲ། གླ་ཕོགས་འགན་ལེན་མ་དངུལ། ཉེན་བརྡ། གླ་ཕོགས་བསྒྱངས་པའི་ཞུ་གཏུག",
        "Real-name construction workers, wage accounts and payroll, wage deposits, warnings, "
        "arrears complaints, the blacklist",
    ),
    rank=40,
    api=(
        "minsheng.wages.project_api:router",
        "minsheng.wages.attendance_api:router",
        "minsheng.wages.pay_api:router",
        "minsheng.wages.deposit_api:router",
        "minsheng.wages.complaint_api:router",
        "minsheng.wages.warning_api:router",
    ),
    pages=(
        "minsheng.wages.project_pages:router",
        "minsheng.wages.attendance_pages:router",
        "minsheng.wages.pay_pages:router",
        "minsheng.wages.deposit_pages:router",
        "minsheng.wages.blacklist_pages:router",
        "minsheng.wages.complaint_pages:router",
        "minsheng.wages.warning_pages:router",
    ),
    cli=(("wages", "minsheng.wages.cli:app"),),
    models="minsheng.wages.models",
    permissions={
        # wages:project opens the project desk (access.py: staff see their region's projects,
        # a contractor only its employer's)
        "caseworker": frozenset({"wages:read", "wages:write", "wages:inspect", "wages:project"}),
        "supervisor": frozenset(
            {"wages:read", "wages:write", "wages:run", "wages:inspect", "wages:project"}
        ),
        "contractor": frozenset({"wages:project"}),
        "auditor": frozenset({"wages:read"}),
    },
    desks=(
        Link(
            "/wages/projects",
            Text("工程项目", "ལས་གཞི།", "Construction projects"),
            "wages:project",
            rank=40,
        ),
        Link(
            "/wages/warnings",
            Text("欠薪预警", "གླ་ཕོགས་ཉེན་བརྡ།", "Wage arrears warnings"),
            "wages:read",
            rank=41,
        ),
        Link(
            "/wages/dashboard",
            Text("根治欠薪看板", "གླ་ཕོགས་ལྟ་སྐུལ་ངོས་ལེབ།", "Wage arrears dashboard"),
            "wages:read",
            rank=42,
        ),
    ),
    panels=(
        Link(
            "/me/wages/attendance",
            Text("我的考勤", "ངའི་ཡོང་ཐོ།", "My attendance"),
            "self:read",
            rank=40,
        ),
        Link(
            "/me/wages/pay",
            Text("我的工资", "ངའི་གླ་ཕོགས།", "My pay"),
            "self:read",
            rank=41,
        ),
    ),
    parameters=("wages.",),
)
