import pytest

from minsheng.core import divisions
from minsheng.core.errors import ValidationError


def test_counts() -> None:
    assert divisions.region().code == "540000"
    assert len(divisions.prefectures()) == 7
    assert len(divisions.counties()) == 74


def test_region_and_prefectures_have_three_languages() -> None:
    for d in [divisions.region(), *divisions.prefectures()]:
        assert d.name_zh and d.name_bo and d.name_en
        assert "\u0f00" <= d.name_bo[0] <= "\u0fff"  # Tibetan script


def test_every_county_has_a_prefecture() -> None:
    prefs = {p.code for p in divisions.prefectures()}
    assert all(c.parent_code in prefs for c in divisions.counties())


def test_statistical_zones_are_not_divisions() -> None:
    with pytest.raises(ValidationError):
        divisions.get("540171")


@pytest.mark.parametrize(
    ("retired", "current"),
    [("542600", "540400"), ("540125", "540103"), ("542301", "540202"), ("542232", "540581")],
)
def test_retired_codes_resolve(retired: str, current: str) -> None:
    res = divisions.resolve(retired)
    assert res.retired and res.division.code == current


def test_lookup_by_name() -> None:
    assert divisions.by_name("拉萨市")[0].code == "540100"
    assert divisions.by_name("拉萨")[0].code == "540100"
    assert divisions.by_name("lhasa")[0].code == "540100"
    assert divisions.by_name("ལྷ་ས་གྲོང་ཁྱེར།")[0].code == "540100"
    assert divisions.by_name("墨脱县")[0].code == "540423"
    assert divisions.by_name("") == []


def test_pooling_region_and_ancestors() -> None:
    assert divisions.pooling_region("540102") == "540100"
    assert divisions.pooling_region("540100") == "540100"
    assert divisions.ancestors("542624") == ["540423", "540400", "540000"]


@pytest.mark.parametrize(
    ("code", "rule"), [("5401", "division_format"), ("540199", "division_unknown")]
)
def test_bad_codes(code: str, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        divisions.get(code, "county")
    assert err.value.rule == rule
    assert err.value.field == "county"
