"""The one check of an idempotency key (medical settlements, bundles, recovery repayments)."""

from __future__ import annotations

import pytest

from minsheng.core.errors import MinshengError
from minsheng.core.text import KEY_MAX, idempotency_key


@pytest.mark.parametrize("key", ["a", "HIS-2026:0001.x_y", "k" * KEY_MAX])
def test_a_key_within_bounds_passes_as_sent(key: str) -> None:
    assert idempotency_key(key) == key
    assert idempotency_key(None) is None


@pytest.mark.parametrize(
    "key", ["", "k" * (KEY_MAX + 1), "a b", "a\nb", "a|b", "收据1", "ａｂｃ", "a\x00b", "é"]
)
def test_a_bad_key_is_refused_naming_the_field(key: str) -> None:
    with pytest.raises(MinshengError) as e:
        idempotency_key(key, "key")
    assert (e.value.field, e.value.rule) == ("key", "key_format")


def test_a_caller_may_ask_for_longer_keys() -> None:
    assert idempotency_key("12345678", shortest=8) == "12345678"
    with pytest.raises(MinshengError):
        idempotency_key("1234567", shortest=8)
