"""Roles, permissions and region scopes — who may do what, and where.

Deny unless allowed: a route names the one permission it needs (``permit("registry:read")``) or
is marked public; the app refuses to start with a route that does neither. Region scope is
checked where records are loaded (services), with :meth:`Principal.covers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from minsheng import programmes
from minsheng.core import divisions
from minsheng.core.errors import ForbiddenError

ROLES: dict[str, tuple[str, str, str]] = {  # (zh, bo, en)
    "citizen": ("参保群众", "མང་ཚོགས།", "citizen"),
    "cashier": ("医院收费员", "སྨན་ཁང་གི་དངུལ་གཉེར་བ།", "hospital cashier"),
    "contractor": (
        "施工单位劳资专管员",
        "འཛུགས་སྐྲུན་ཚོགས་པའི་གླ་ཕོགས་དོ་དམ་པ།",
        "contractor's wage officer",
    ),
    "employer": (
        "用人单位招聘专员",
        "ལས་བེད་སྤྱོད་ཚོང་ཁང་གི་ལས་མི་འདེམས་མཁན།",
        "employer's recruiter",
    ),
    "caseworker": ("经办人员", "ལས་དོན་པ།", "caseworker"),
    "supervisor": ("主管", "འགན་འཛིན།", "supervisor"),
    "analyst": ("政策分析员", "སྲིད་ཇུས་དབྱེ་ཞིབ་པ།", "policy analyst"),
    "auditor": ("审计员", "རྩིས་ཞིབ་པ།", "auditor"),
    "admin": ("系统管理员", "མ་ལག་དོ་དམ་པ།", "administrator"),
}
STAFF_ROLES = tuple(r for r in ROLES if r != "citizen")

# Each role's permissions, assembled from what every registered programme and service gives
# (its ``PROGRAMME.permissions`` in its ``__init__.py``). Rebuilt in place when a package is
# registered at run time, so every module that imported the table sees the change.
PERMISSIONS: dict[str, frozenset[str]] = {}
ALL_PERMISSIONS: frozenset[str] = frozenset()


def _assemble() -> None:
    global ALL_PERMISSIONS
    PERMISSIONS.clear()
    PERMISSIONS.update(programmes.permission_table(tuple(ROLES)))
    ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values())


_assemble()
programmes.on_change(_assemble)


Kind = Literal["staff", "citizen", "token", "system", "anonymous"]


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in staff user, a citizen, an API token, the system, or nobody."""

    kind: Kind
    name: str
    role: str | None = None
    region: str | None = None  # a division code the staff user or token is bound to
    permissions: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    person_id: int | None = None
    token_id: int | None = None
    ip: str | None = None

    @property
    def actor(self) -> str:
        if self.kind == "token":
            return f"token:{self.token_id}"
        if self.kind == "citizen":
            return f"citizen:{self.person_id}"
        if self.kind == "staff":
            return f"user:{self.user_id}"
        return self.kind if self.kind != "system" else f"system:{self.name}"

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def covers(self, division_code: str | None) -> bool:
        """Whether a record in ``division_code`` lies inside this principal's region."""
        if self.kind == "system":
            return True
        if not self.region or not division_code:
            return False
        if self.region == divisions.REGION_CODE:
            return True
        try:
            chain = divisions.ancestors(division_code)
        except Exception:
            return False
        return self.region in chain

    def require_covers(self, division_code: str | None, what: str = "record") -> None:
        if not self.covers(division_code):
            raise ForbiddenError(
                "region",
                "out_of_region",
                f"该{what_zh(what)}不在您的管辖区域内",
                f"this {what} lies outside your region",
            )

    def covered_codes(self) -> list[str] | None:
        """Division codes a record may carry and still be inside the region (its counties and
        the region's own code, for records filed at prefecture level), or None for all."""
        counties = self.covered_counties()
        if counties is None:
            return None
        return [*counties, self.region] if self.region else counties

    def covered_counties(self) -> list[str] | None:
        """County codes inside the region, or None for the whole region (no filter needed)."""
        if self.kind == "system" or self.region == divisions.REGION_CODE:
            return None
        if not self.region:
            return []
        d = divisions.get(self.region)
        if d.level == "county":
            return [d.code]
        return [c.code for c in divisions.counties(d.code)]


def role_label(role: str, lang: str = "zh") -> str:
    zh, bo, en = ROLES[role]
    return {"zh": zh, "bo": bo, "en": en}.get(lang, zh)


def what_zh(what: str) -> str:
    return {
        "person": "人员",
        "household": "家庭",
        "employer": "用人单位",
        "facility": "医疗机构",
        "user": "用户",
    }.get(what, "记录")


ANONYMOUS = Principal(kind="anonymous", name="anonymous")


def system(name: str = "cli") -> Principal:
    """The platform itself acting (CLI, jobs): every permission, the whole region."""
    return Principal(
        kind="system",
        name=name,
        role="admin",
        region=divisions.REGION_CODE,
        permissions=ALL_PERMISSIONS,
    )


def staff(
    user_id: int,
    name: str,
    role: str,
    region: str,
    scopes: frozenset[str] | None = None,
    **kw: object,
) -> Principal:
    perms = PERMISSIONS.get(role, frozenset())
    if scopes is not None:
        perms = perms & scopes
    return Principal(
        kind="token" if scopes is not None else "staff",
        name=name,
        role=role,
        region=region,
        permissions=perms,
        user_id=user_id,
        **kw,  # type: ignore[arg-type]
    )
