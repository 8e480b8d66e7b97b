"""A schema check's refusal in words (zh, en, bo): the errors pydantic raises before any of the
house's own checks run — a required field missing, a string too long, a number out of range, a
value not among the choices. One catalogue for the API's 422 answers (``webkit.errors``) and for
the importers and forms (``fields.problems_of``), keyed by pydantic's error ``type`` and filled
from the error's ``ctx`` (the limit, the expected choices). A type not listed here is still
named (the field, and pydantic's own English) in all three languages.

Pure: the error arrives as the plain dict of ``ValidationError.errors()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# type → (zh, en, bo); {field} is the dotted field, other names come from the error's ctx
_WORDS: dict[str, tuple[str, str, str]] = {
    "missing": ("请填写“{field}”", "'{field}' is required", "«{field}» འབྲི་དགོས།"),
    "string_too_long": (
        "“{field}”最多{max_length}个字符",
        "'{field}' has at most {max_length} characters",
        "«{field}» ཡིག་འབྲུ་ {max_length} ལས་མང་བ་མི་ཆོག",
    ),
    "string_too_short": (
        "“{field}”至少{min_length}个字符",
        "'{field}' needs at least {min_length} characters",
        "«{field}» ལ་ཉུང་མཐར་ཡིག་འབྲུ་ {min_length} དགོས།",
    ),
    "too_long": (
        "“{field}”最多{max_length}项",
        "'{field}' holds at most {max_length} items",
        "«{field}» ནང་རྣམ་གྲངས་ {max_length} ལས་མང་བ་མི་ཆོག",
    ),
    "too_short": (
        "“{field}”至少{min_length}项",
        "'{field}' needs at least {min_length} items",
        "«{field}» ནང་ཉུང་མཐར་རྣམ་གྲངས་ {min_length} དགོས།",
    ),
    "int": (
        "“{field}”必须是整数",
        "'{field}' must be a whole number",
        "«{field}» ཨང་གྲངས་ཧྲིལ་པོ་ཞིག་ཡིན་དགོས།",
    ),
    "number": ("“{field}”必须是数字", "'{field}' must be a number", "«{field}» གྲངས་ཀ་ཞིག་ཡིན་དགོས།"),
    "greater_than_equal": (
        "“{field}”不能小于{ge}",
        "'{field}' must be at least {ge}",
        "«{field}» {ge} ལས་ཉུང་བ་མི་ཆོག",
    ),
    "less_than_equal": (
        "“{field}”不能大于{le}",
        "'{field}' must be at most {le}",
        "«{field}» {le} ལས་མང་བ་མི་ཆོག",
    ),
    "greater_than": (
        "“{field}”必须大于{gt}",
        "'{field}' must be greater than {gt}",
        "«{field}» {gt} ལས་མང་བ་དགོས།",
    ),
    "less_than": (
        "“{field}”必须小于{lt}",
        "'{field}' must be less than {lt}",
        "«{field}» {lt} ལས་ཉུང་བ་དགོས།",
    ),
    "string_pattern_mismatch": (
        "“{field}”格式不正确",
        "'{field}' is not in the expected format",
        "«{field}» ཡི་རྣམ་པ་ནོར་འདུག",
    ),
    "choice": (
        "“{field}”只能是{expected}之一",
        "'{field}' must be one of {expected}",
        "«{field}» ནི་ {expected} ནང་ནས་གཅིག་ཡིན་དགོས།",
    ),
    "bool": (
        "“{field}”必须是 true 或 false",
        "'{field}' must be true or false",
        "«{field}» ནི་ true ཡང་ན་ false ཡིན་དགོས།",
    ),
    "date": (
        "“{field}”必须是日期（YYYY-MM-DD）",
        "'{field}' must be a date (YYYY-MM-DD)",
        "«{field}» ཚེས་གྲངས་ (YYYY-MM-DD) ཞིག་ཡིན་དགོས།",
    ),
    "datetime": (
        "“{field}”必须是日期时间（ISO 8601）",
        "'{field}' must be a date and time (ISO 8601)",
        "«{field}» ཚེས་གྲངས་དང་དུས་ཚོད་ (ISO 8601) ཞིག་ཡིན་དགོས།",
    ),
    "json_invalid": (
        "请求体不是有效的JSON",
        "the request body is not valid JSON",
        "རེ་ཞུའི་ནང་དོན་ JSON ཚད་ལྡན་མིན།",
    ),
    "extra_forbidden": (
        "不接受字段“{field}”",
        "'{field}' is not a field of this request",
        "«{field}» ངོས་འཛིན་མ་ཐུབ།",
    ),
    "type": ("“{field}”的类型不正确", "'{field}' has the wrong type", "«{field}» ཡི་རིགས་ནོར་འདུག"),
}
# pydantic's types that read as one of the entries above
_ALIASES = {
    "int_parsing": "int",
    "int_type": "int",
    "int_from_float": "int",
    "float_parsing": "number",
    "float_type": "number",
    "decimal_parsing": "number",
    "decimal_type": "number",
    "literal_error": "choice",
    "enum": "choice",
    "bool_parsing": "bool",
    "bool_type": "bool",
    "date_parsing": "date",
    "date_type": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "datetime_parsing": "datetime",
    "datetime_type": "datetime",
    "datetime_from_date_parsing": "datetime",
    "string_type": "type",
    "dict_type": "type",
    "model_type": "type",
    "model_attributes_type": "type",
    "list_type": "type",
    "tuple_type": "type",
    "set_type": "type",
}
_FALLBACK = (
    "字段“{field}”的值无效：{msg}",
    "invalid value for '{field}': {msg}",
    "«{field}» ཡི་གྲངས་ཐང་ནོར་འདུག ({msg})",
)
_SHOWN = 80  # characters of a ctx value shown back (an expected list, a limit)


def describe(error: Mapping[str, Any], field: str) -> tuple[str, str, str]:
    """(zh, en, bo) for one entry of ``ValidationError.errors()`` about ``field``."""
    kind = str(error.get("type", ""))
    zh, en, bo = _WORDS.get(_ALIASES.get(kind, kind), _FALLBACK)
    ctx = error.get("ctx") or {}
    values = {k: str(v)[:_SHOWN] for k, v in ctx.items() if isinstance(k, str)}
    values["field"] = field
    values["msg"] = str(error.get("msg", ""))[:200]
    try:
        return zh.format_map(values), en.format_map(values), bo.format_map(values)
    except (KeyError, IndexError, ValueError):  # a ctx without the limit its type names
        zh, en, bo = _FALLBACK
        return zh.format_map(values), en.format_map(values), bo.format_map(values)
