"""The 2022 occupational classification shipped: 8 major groups, 79 middle groups, each middle
group under a major, codes well formed and unique, names present; unknown codes refused."""

from __future__ import annotations

import json

import pytest

from minsheng.core.errors import ValidationError
from minsheng.employment import occupations


def test_eight_majors_and_seventy_nine_middles() -> None:
    table = occupations.table()
    majors = [o for o in table.values() if o.level == "major"]
    middles = [o for o in table.values() if o.level == "middle"]
    assert [o.code for o in majors] == [str(i) for i in range(1, 9)]
    assert len(middles) == 79
    counts = {m.code: len(occupations.children(m.code)) for m in majors}
    assert counts == {"1": 6, "2": 11, "3": 4, "4": 15, "5": 6, "6": 32, "7": 4, "8": 1}
    for o in middles:
        assert occupations.CODE.match(o.code) and o.parent in counts
        assert occupations.major_of(o.code) == o.parent
        assert o.zh and o.en and o.name("bo")  # Tibetan falls back to Chinese
    assert len({o.zh for o in middles}) == 79
    assert occupations.get("6-29").zh == "建筑施工人员"
    assert occupations.children(None) == majors
    assert occupations.major_of("4-02-01-01") == "4"


@pytest.mark.parametrize("code", ["9", "6-33", "6-29-99-99", "", "4-2", None, 42, "4 "])
def test_unknown_codes_are_refused_in_three_languages(code: object) -> None:
    with pytest.raises(ValidationError) as err:
        occupations.get(code, "occupations[0]")
    body = json.dumps(err.value.to_dict(), ensure_ascii=False)
    p = err.value.problems[0]
    assert p.field == "occupations[0]" and p.rule == "occupation"
    assert "职业分类大典" in p.zh and "classification" in p.en and p.bo
    assert "ལས་རིགས" in body
