"""Security: users, sessions, tokens, roles by region, protected personal data, audit."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="auth",
    kind="service",
    title=Text("用户与安全", "སྤྱོད་མཁན་དང་བདེ་འཇགས།", "Users and security"),
    api=("minsheng.auth.api:router",),
    pages=(
        "minsheng.auth.pages:router",
        "minsheng.auth.admin_pages:router",
        "minsheng.auth.grant_pages:router",
        "minsheng.auth.audit_pages:router",
    ),
    cli=(
        ("user", "minsheng.auth.cli:user_app"),
        ("audit", "minsheng.auth.cli:audit_app"),
        ("keys", "minsheng.auth.cli:keys_app"),
    ),
    models="minsheng.auth.models",
    permissions={
        "citizen": frozenset({"self:read"}),  # the citizen's own record (/me)
        "auditor": frozenset({"audit:read"}),
        "admin": frozenset({"users:admin", "aggregates:read"}),
        # the registry's statistics (/api/stats/registry) are aggregates too
        "supervisor": frozenset({"aggregates:read"}),
        "analyst": frozenset({"aggregates:read"}),
    },
    desks=(
        Link("/audit", Text("审计日志", "རྩིས་ཞིབ་ཟིན་ཐོ།", "Audit log"), "audit:read", rank=80),
        Link(
            "/admin/users",
            Text("用户、角色与令牌", "སྤྱོད་མཁན་དང་འགན་ཁུར། ལག་ཁྱེར།", "Users, roles and tokens"),
            "users:admin",
            rank=80,
        ),
    ),
)
