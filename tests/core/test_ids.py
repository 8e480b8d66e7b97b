import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import divisions, ids
from minsheng.core.errors import ValidationError

TODAY = dt.date(2026, 11, 22)


def rule_of(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert err.value.zh and err.value.en
    return err.value.rule


def test_gb11643_standard_example() -> None:
    parsed = ids.parse_resident_id("11010519491231002X", today=TODAY)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.province == "北京市"
    assert parsed.current_division is None  # outside Tibet: only the province is checked


def test_fifteen_digit_form_converts() -> None:
    parsed = ids.parse_resident_id("110105491231002", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.converted_from_15


def test_tibetan_current_code() -> None:
    number = ids.make_resident_id("540102", dt.date(1990, 1, 1), 123)
    parsed = ids.parse_resident_id(number, today=TODAY)
    assert parsed.current_division == "540102"
    assert parsed.division_name == "城关区"
    assert parsed.sex == "M"
    assert not parsed.retired_division


def test_retired_code_maps_to_current() -> None:
    number = ids.make_resident_id("542301", dt.date(1975, 6, 30), 40)  # 日喀则市(县级)
    parsed = ids.parse_resident_id(number, today=TODAY)
    assert parsed.retired_division
    assert parsed.current_division == "540202"  # 桑珠孜区
    assert parsed.sex == "F"


def test_pre_reform_prefix_not_in_table_resolves_to_prefecture() -> None:
    number = ids.make_resident_id("542127", dt.date(1970, 1, 1), 1)  # a 昌都地区 county
    parsed = ids.parse_resident_id(number, today=TODAY)
    assert parsed.current_division == "540300"
    assert parsed.retired_division


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("11010519491231002", "id_length"),
        ("1101051949123100AX", "id_charset"),
        ("110105194912310021", "id_checksum"),
        (ids.make_resident_id("540102", dt.date(2030, 1, 1), 1), "id_birth_future"),
        ("99" + ids.make_resident_id("540102", dt.date(1990, 1, 1), 1)[2:17], "id_length"),
        (ids.make_resident_id("540199", dt.date(1990, 1, 1), 1), "division_unknown"),
    ],
)
def test_resident_id_failures_name_the_rule(value: str, rule: str) -> None:
    assert rule_of(ids.parse_resident_id, value, today=TODAY) == rule


def test_impossible_birth_date() -> None:
    first17 = "540102" + "19900230" + "123"
    value = first17 + ids.id_check_char(first17)
    assert rule_of(ids.parse_resident_id, value, today=TODAY) == "id_birth_date"


def test_unknown_province() -> None:
    first17 = "990102" + "19900101" + "123"
    value = first17 + ids.id_check_char(first17)
    assert rule_of(ids.parse_resident_id, value, today=TODAY) == "id_division"


def test_error_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        ids.parse_resident_id("123", field="patient_id")
    assert err.value.field == "patient_id"


county_codes = st.sampled_from([c.code for c in divisions.counties()])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@given(code=county_codes, born=births, seq=st.integers(0, 999))
def test_any_built_id_parses_back(code: str, born: dt.date, seq: int) -> None:
    number = ids.make_resident_id(code, born, seq)
    parsed = ids.parse_resident_id(number, today=TODAY)
    assert parsed.birth_date == born
    assert parsed.current_division == code
    assert parsed.sex == ("M" if seq % 2 else "F")


@given(
    code=county_codes,
    born=births,
    seq=st.integers(0, 999),
    pos=st.integers(0, 16),
    bump=st.integers(1, 9),
)
def test_checksum_catches_every_single_digit_error(
    code: str, born: dt.date, seq: int, pos: int, bump: int
) -> None:
    number = ids.make_resident_id(code, born, seq)
    wrong = number[:pos] + str((int(number[pos]) + bump) % 10) + number[pos + 1 :]
    assert ids.id_check_char(wrong[:17]) != wrong[17]


def test_mask() -> None:
    assert ids.mask_id("540102199001011239") == "5401**************"  # no tail: item 8


# --- unified social credit code


def test_gb32100_standard_example() -> None:
    parsed = ids.parse_credit_code("91350100M000100Y43")
    assert parsed.authority == "9"
    assert parsed.org_type == "1"
    assert parsed.province == "福建省"
    assert parsed.organization_code == "M000100Y4"


@given(code=county_codes, serial=st.integers(0, 10**8 - 1))
def test_built_credit_codes_parse(code: str, serial: int) -> None:
    value = ids.make_credit_code(code, serial)
    assert ids.parse_credit_code(value).division_code == code


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("91350100M000100Y4", "credit_length"),
        ("91350100M000100YI3", "credit_charset"),
        ("91350100M000100Y44", "credit_checksum"),
    ],
)
def test_credit_code_failures(value: str, rule: str) -> None:
    assert rule_of(ids.parse_credit_code, value) == rule


def _with_check(first17: str) -> str:
    return first17 + ids.credit_check_char(first17)


def test_credit_code_org_code_check_is_verified() -> None:
    # a correct overall check character but a wrong embedded organisation-code check
    good = ids.make_credit_code("540102", 1234)
    org = good[8:16] + ("0" if good[16] != "0" else "1")
    value = _with_check(good[:8] + org)
    assert rule_of(ids.parse_credit_code, value) == "org_code_checksum"


def test_credit_code_authority_and_type() -> None:
    base = ids.make_credit_code("540102", 99)
    assert rule_of(ids.parse_credit_code, "Z" + base[1:17] + "0") == "credit_charset"
    assert rule_of(ids.parse_credit_code, _with_check("B" + base[1:17])) == "credit_authority"
    assert rule_of(ids.parse_credit_code, _with_check("95" + base[2:17])) == "credit_org_type"
    assert (
        rule_of(ids.parse_credit_code, _with_check("91" + "990102" + base[8:17]))
        == "credit_division"
    )


# --- facility code


def test_facility_code() -> None:
    parsed = ids.parse_facility_code("H54010200001")
    assert parsed.current_division == "540102"
    assert parsed.sequence == "00001"
    assert ids.parse_facility_code("H54230100001").current_division == "540202"  # retired code


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("54010200001", "facility_format"),
        ("H5401020001", "facility_format"),
        ("H99010200001", "facility_division"),
        ("H54019900001", "division_unknown"),
    ],
)
def test_facility_failures(value: str, rule: str) -> None:
    assert rule_of(ids.parse_facility_code, value) == rule


def test_check_any_dispatch() -> None:
    assert ids.check_any("H54010200001")[0] == "facility_code"
    assert ids.check_any("91350100M000100Y43")[0] == "credit_code"
    assert ids.check_any("11010519491231002X")[0] == "resident_id"
    numeric_credit = ids.make_credit_code("540102", 1234)
    assert numeric_credit[:17].isdigit()
    assert ids.check_any(numeric_credit)[0] == "credit_code"
