"""Social insurance and pensions (社会保险与养老): the statutory retirement age, the employee
and resident pension schemes, individual accounts, unemployment and maternity benefits."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="pensions",
    title=Text("社会保险与养老", "སྤྱི་ཚོགས་འགན་ལེན་དང་རྒན་གསོ།", "Social insurance and pensions"),
    summary=Text(
        "参保、缴费、个人账户、养老金、资格认证、转移接续",
        "འགན་ལེན་ཞུགས་པ། འབབ་འཇལ། སྒེར་གྱི་རྩིས་ཐོ། རྒན་གསོའི་ཕོགས། ཁྱད་ཚད་ར་སྤྲོད།",
        "Enrolment, contributions, individual accounts, pensions, certification, transfers",
    ),
    rank=30,
    api=(
        "minsheng.pensions.api:router",
        "minsheng.pensions.recovery_api:router",
        "minsheng.pensions.transfer_api:router",
    ),
    pages=(
        "minsheng.pensions.pages:router",
        "minsheng.pensions.citizen_pages:router",
        "minsheng.pensions.desk_pages:router",
        "minsheng.pensions.roll_pages:router",
        "minsheng.pensions.transfer_pages:router",
    ),
    cli=(("pensions", "minsheng.pensions.cli:app"),),
    models="minsheng.pensions.models",
    permissions={
        "caseworker": frozenset({"pensions:read", "pensions:write"}),
        "supervisor": frozenset({"pensions:read", "pensions:write", "pensions:run"}),
    },
    desks=(
        Link(
            "/pensions",
            Text("参保登记", "འགན་ལེན་ཞུགས་ཐོ།", "Pensions enrolment desk"),
            "pensions:read",
            rank=40,
        ),
        Link(
            "/pensions/certification",
            Text("养老待遇资格认证", "རྒན་གསོའི་ཁྱད་ཚད་ར་སྤྲོད།", "Pension certification queue"),
            "pensions:read",
            rank=41,
        ),
        Link(
            "/pensions/transfers",
            Text("养老保险关系转移接续", "རྒན་གསོའི་འགན་ལེན་སྤོ་སྒྱུར།", "Pension transfers"),
            "pensions:read",
            rank=43,
        ),
        Link(
            "/pensions/transfer-cases",
            Text("转移接续待办", "སྤོ་སྒྱུར་གྱི་ལས་ཐོ།", "Transfer queue"),
            "pensions:read",
            rank=44,
        ),
        Link(
            "/pensions/rolls",
            Text("养老金发放", "རྒན་གསོའི་ཕོགས་འགྲེམ་སྤྲོད།", "Pension rolls"),
            "pensions:run",
            rank=42,
        ),
    ),
    panels=(
        Link(
            "/me/pensions",
            Text("我的社保与养老", "ངའི་སྤྱི་ཚོགས་འགན་ལེན་དང་རྒན་གསོ།", "My pensions"),
            "self:read",
            rank=30,
        ),
    ),
    parameters=("pensions.", "economy.average_wage_yearly", "economy.minimum_wage_monthly"),
    microsim="minsheng.pensions.microsim:simulate",
    outputs=("resident_pension", "employee_pension", "government_paid_premiums", "tier_subsidies"),
)
