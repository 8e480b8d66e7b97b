"""Refusals of the schema itself (pydantic's, before the house's own checks) in zh, en and bo,
naming the field: through the API's 422 answers and through ``fields.problems_of``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from minsheng.core import schema_errors
from minsheng.fields import problems_of
from minsheng.webkit import errors

TIBETAN = re.compile(r"[\u0f00-\u0fff]")


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=5)]
    age: Annotated[int, Field(ge=0, le=150)] = 0
    kind: Literal["a", "b"] = "a"
    born: str | None = None


def _problems(data: object) -> list[object]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    return list(problems_of(caught.value))


@pytest.mark.parametrize(
    ("data", "field", "rule", "shown"),
    [
        ({}, "name", "missing", None),
        ({"name": "abcdefg"}, "name", "string_too_long", "5"),
        ({"name": "a", "age": 200}, "age", "less_than_equal", "150"),
        ({"name": "a", "age": -1}, "age", "greater_than_equal", "0"),
        ({"name": "a", "age": "x"}, "age", "int_parsing", None),
        ({"name": "a", "kind": "c"}, "kind", "literal_error", "'a'"),
        ({"name": "a", "extra\nfield": 1}, "extra\nfield", "extra_forbidden", None),
    ],
)
def test_each_refusal_names_the_field_in_three_languages(
    data: object, field: str, rule: str, shown: str | None
) -> None:
    (p,) = _problems(data)
    assert (p.field, p.rule) == (field, rule)  # type: ignore[attr-defined]
    for text in (p.zh, p.en, p.bo):  # type: ignore[attr-defined]
        assert field in text
        if shown is not None:
            assert shown in text  # the limit or the choices, in every language
    assert TIBETAN.search(p.bo) and re.search(r"[\u4e00-\u9fff]", p.zh)  # type: ignore[attr-defined]


def test_an_unlisted_type_still_reads_in_three_languages() -> None:
    zh, en, bo = schema_errors.describe({"type": "url_parsing", "msg": "bad url"}, "href")
    assert all("href" in t for t in (zh, en, bo)) and "bad url" in en and TIBETAN.search(bo)
    # a type whose ctx lacks its limit falls back rather than failing
    zh, en, bo = schema_errors.describe({"type": "string_too_long", "msg": "m"}, "x")
    assert "x" in zh and "m" in en and TIBETAN.search(bo)


def test_braces_in_a_field_or_ctx_are_shown_not_formatted() -> None:
    zh, en, bo = schema_errors.describe(
        {"type": "literal_error", "msg": "m", "ctx": {"expected": "{field}{0}"}}, "{a}"
    )
    assert "{a}" in zh and "{field}{0}" in en and "{a}" in bo


def test_the_api_answers_a_schema_refusal_with_its_tibetan_line() -> None:
    app = FastAPI()
    errors.install(app)

    @app.post("/api/form")
    def form(body: Form) -> dict[str, str]:
        return {"ok": body.name}

    with TestClient(app) as client:
        r = client.post("/api/form", json={"name": "toolongname"})
        assert r.status_code == 422
        err = r.json()["error"]
        assert err["field"] == "name" and err["rule"] == "string_too_long"
        assert TIBETAN.search(err["message"]["bo"]) and "name" in err["message"]["bo"]
        assert all(p["bo"] for p in err["problems"])
        r = client.get("/api/nowhere")
        assert r.status_code == 404 and TIBETAN.search(r.json()["error"]["message"]["bo"])
        assert r.json()["error"]["message"]["bo"] == "ཤོག་ངོས་རྙེད་མ་བྱུང་།"  # the catalogue's line
