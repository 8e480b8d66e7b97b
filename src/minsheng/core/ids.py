"""Identifiers: resident ID (GB 11643), unified social credit code (GB 32100), facility code.

Each validator returns the parsed fields or raises a :class:`~minsheng.core.errors.
ValidationError` naming the field and the rule that failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Literal

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid

# ---------------------------------------------------------------- resident ID (GB 11643-1999)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str  # always the 18-character form
    division_code: str  # as printed in the number
    current_division: str | None  # current GB/T 2260 code (Tibetan codes only)
    division_name: str | None
    province: str | None
    retired_division: bool
    birth_date: dt.date
    sex: Literal["M", "F"]
    converted_from_15: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat()
        return d

    @property
    def masked(self) -> str:
        return mask_id(self.number)


def mask_id(number: str) -> str:
    """5401**************: the prefecture (first 4 characters), the rest hidden. The sequence
    and check character stay hidden because views show the birth date, sex and county beside
    the mask: with those, a shown tail rebuilt the number (docs/security.md, "Masking")."""
    n = str(number)
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 4)


def mask_phone(value: str | None) -> str | None:
    """139****1234: the first 3 and last 4 digits, the rest hidden."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _division_of(code: str, field: str) -> tuple[str | None, str | None, str | None, bool]:
    province = divisions.province_name(code)
    if province is None:
        raise invalid(
            field,
            "id_division",
            f"身份证号前两位不是有效的省级代码：{code[:2]}",
            f"the first two digits are not a province code: {code[:2]}",
        )
    if not code.startswith("54"):
        return None, None, province, False
    res = divisions.resolve(code, field)  # raises id-less division_unknown
    return res.division.code, res.division.name_zh, province, res.retired


def _birth_date(text: str, field: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise invalid(
            field,
            "id_birth_date",
            f"身份证号中的出生日期不存在：{text}",
            f"the birth date in the number does not exist: {text}",
        ) from None
    if born > today:
        raise invalid(
            field,
            "id_birth_future",
            f"身份证号中的出生日期在未来：{born}",
            f"the birth date in the number is in the future: {born}",
        )
    if born.year < 1880:
        raise invalid(
            field,
            "id_birth_date",
            f"出生年份不合理：{born.year}",
            f"implausible birth year {born.year}",
        )
    return born


def parse_resident_id(
    value: str, field: str = "id_number", today: dt.date | None = None
) -> ResidentId:
    """Validate and parse a resident ID number (18 characters, or the old 15-digit form)."""
    today = today or dt.date.today()
    number = str(value).strip().upper()
    converted = False
    if len(number) == 15:
        if not number.isdigit():
            raise invalid(
                field, "id_charset", "15位身份证号只能是数字", "a 15-digit ID has digits only"
            )
        first17 = number[:6] + "19" + number[6:]
        number = first17 + id_check_char(first17)
        converted = True
    if len(number) != 18:
        raise invalid(
            field,
            "id_length",
            f"身份证号应为18位（或旧版15位），实际{len(number)}位",
            f"an ID number has 18 characters (or 15 in the old form), got {len(number)}",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise invalid(
            field,
            "id_charset",
            "身份证号前17位必须是数字，最后一位是数字或X",
            "the first 17 characters are digits, the last a digit or X",
        )
    if id_check_char(number[:17]) != number[17]:
        raise invalid(
            field,
            "id_checksum",
            "身份证号校验位不正确",
            "the check character does not match (ISO 7064 MOD 11-2)",
        )
    born = _birth_date(number[6:14], field, today)
    current, name, province, retired = _division_of(number[:6], field)
    return ResidentId(
        number=number,
        division_code=number[:6],
        current_division=current,
        division_name=name,
        province=province,
        retired_division=retired,
        birth_date=born,
        sex="M" if int(number[16]) % 2 == 1 else "F",
        converted_from_15=converted,
    )


def make_resident_id(division_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid 18-character ID (for demo data and tests). ``sequence`` is 0–999."""
    first17 = f"{division_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# ------------------------------------------------- unified social credit code (GB 32100-2015)

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registration authority (登记管理部门) → allowed organisation types (机构类别).
CREDIT_AUTHORITIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交
    "3": "1239",  # 司法行政
    "4": "1239",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def org_code_check(first8: str) -> str:
    """GB 11714 organisation-code check character of the first 8 characters."""
    total = sum(_org_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class CreditCode:
    code: str
    authority: str
    org_type: str
    division_code: str
    province: str | None
    organization_code: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_credit_code(value: str, field: str = "credit_code") -> CreditCode:
    """Validate and parse an 18-character unified social credit code (统一社会信用代码)."""
    code = str(value).strip().upper()
    if len(code) != 18:
        raise invalid(
            field,
            "credit_length",
            f"统一社会信用代码应为18位，实际{len(code)}位",
            f"a unified social credit code has 18 characters, got {len(code)}",
        )
    bad = sorted({c for c in code if c not in CREDIT_CHARSET})
    if bad:
        raise invalid(
            field,
            "credit_charset",
            f"含有不允许的字符：{''.join(bad)}（不使用I、O、Z、S、V）",
            f"characters not allowed: {''.join(bad)} (I, O, Z, S, V are never used)",
        )
    if credit_check_char(code[:17]) != code[17]:
        raise invalid(
            field,
            "credit_checksum",
            "统一社会信用代码校验位不正确",
            "the check character does not match (GB 32100, weights 3^i mod 31)",
        )
    authority, org_type = code[0], code[1]
    if authority not in CREDIT_AUTHORITIES:
        raise invalid(
            field,
            "credit_authority",
            f"登记管理部门代码无效：{authority}",
            f"unknown registration authority code: {authority}",
        )
    if org_type not in CREDIT_AUTHORITIES[authority]:
        raise invalid(
            field,
            "credit_org_type",
            f"机构类别代码{org_type}不属于登记管理部门{authority}",
            f"organisation type {org_type} is not used by authority {authority}",
        )
    division_code = code[2:8]
    if not division_code.isdigit() or divisions.province_name(division_code) is None:
        raise invalid(
            field,
            "credit_division",
            f"登记管理机关行政区划码无效：{division_code}",
            f"not a valid division code: {division_code}",
        )
    if division_code.startswith("54"):
        divisions.resolve(division_code, field)
    org = code[8:17]
    if any(c not in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in org[:8]):
        raise invalid(field, "org_code_charset", "组织机构代码字符无效", "bad organisation code")
    if org_code_check(org[:8]) != org[8]:
        raise invalid(
            field,
            "org_code_checksum",
            "内嵌的组织机构代码校验位不正确（GB 11714）",
            "the embedded organisation code's check character does not match (GB 11714)",
        )
    return CreditCode(
        code=code,
        authority=authority,
        org_type=org_type,
        division_code=division_code,
        province=divisions.province_name(division_code),
        organization_code=org,
    )


def make_credit_code(
    division_code: str, serial: int, authority: str = "9", org_type: str = "1"
) -> str:
    """Build a valid credit code (for demo data and tests)."""
    base8 = f"{serial % 10**8:08d}"
    first17 = authority + org_type + division_code + base8 + org_code_check(base8)
    return first17 + credit_check_char(first17)


# ------------------------------------------------ medical facility code (定点医疗机构编码)


@dataclass(frozen=True)
class FacilityCode:
    code: str
    division_code: str
    current_division: str | None
    sequence: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_facility_code(value: str, field: str = "facility_code") -> FacilityCode:
    """``H`` + 6-digit division + 5-digit sequence (national medical-insurance code)."""
    code = str(value).strip().upper()
    if len(code) != 12 or code[0] != "H" or not code[1:].isdigit():
        raise invalid(
            field,
            "facility_format",
            "医疗机构编码应为H加11位数字（6位区划码+5位顺序号）",
            "a facility code is H followed by 11 digits (6-digit division + 5-digit sequence)",
        )
    division_code = code[1:7]
    if divisions.province_name(division_code) is None:
        raise invalid(
            field,
            "facility_division",
            f"医疗机构编码中的区划码无效：{division_code}",
            f"not a valid division code: {division_code}",
        )
    current = (
        divisions.resolve(division_code, field).division.code
        if division_code.startswith("54")
        else None
    )
    return FacilityCode(
        code=code, division_code=division_code, current_division=current, sequence=code[7:]
    )


# ---------------------------------------------------------------------------- dispatch

IdKind = Literal["resident_id", "credit_code", "facility_code"]


def check_any(value: str) -> tuple[IdKind, dict[str, Any]]:
    """Tell the kind of an identifier and parse it (used by ``minsheng id check``).

    A credit code may be all digits, like an ID number, so an 18-character value is tried
    as both; when both fail, the error shown is that of the kind its characters suggest.
    """
    v = str(value).strip().upper()
    if v.startswith("H"):
        return "facility_code", parse_facility_code(v).to_dict()
    if len(v) != 18:
        return "resident_id", parse_resident_id(v).to_dict()
    try:
        return "resident_id", parse_resident_id(v).to_dict()
    except MinshengError as id_error:
        try:
            return "credit_code", parse_credit_code(v).to_dict()
        except MinshengError as credit_error:
            looks_like_id = v[:17].isdigit()
            raise (id_error if looks_like_id else credit_error) from None
