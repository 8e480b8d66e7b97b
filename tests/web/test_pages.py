from typing import Any

import pytest
from alembic.script import ScriptDirectory

from minsheng.db import alembic_config
from minsheng.webkit import i18n

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "zh"),
        ("bo", "en-US,en;q=0.9", "bo"),
        ("xx", "en-US,en;q=0.9", "en"),
        (None, "fr, bo;q=0.8, en;q=0.5", "bo"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "en;q=0, de", "zh"),
    ],
)
def test_negotiate(cookie: str | None, header: str | None, expected: str) -> None:
    assert i18n.negotiate(cookie, header) == expected


def test_every_catalogue_translates_every_message() -> None:
    from babel.messages.pofile import read_po

    template = read_po((i18n.resources.files("minsheng") / "locale" / "messages.pot").open("rb"))
    ids = {m.id for m in template if m.id}
    assert len(ids) > 30
    for lang in i18n.LANGUAGES.values():
        catalogue = read_po(
            (
                i18n.resources.files("minsheng")
                / "locale"
                / lang.locale
                / "LC_MESSAGES"
                / "messages.po"
            ).open("rb")
        )
        translated = {m.id for m in catalogue if m.id and m.string}
        assert ids <= translated, f"{lang.locale} misses {sorted(ids - translated)[:5]}"


@pytest.mark.parametrize(
    ("lang", "heading", "html_lang"),
    [
        ("zh", "民生保障服务平台", "zh-CN"),
        ("bo", "མི་དམངས་འཚོ་བའི་ཞབས་ཞུའི་སྟེགས་བུ།", "bo"),
        ("en", "People's livelihood platform", "en"),
    ],
)
def test_home_in_three_languages(client: Any, lang: str, heading: str, html_lang: str) -> None:
    client.cookies.set("lang", lang)
    r = client.get("/")
    assert r.status_code == 200
    assert f'<html lang="{html_lang}">' in r.text
    assert heading in r.text.replace("&#39;", "'")
    assert r.headers["content-language"] == html_lang


def test_home_defaults_to_chinese_and_counts_people(client: Any) -> None:
    from minsheng.core import ids

    client.post(
        "/api/persons",
        json={
            "id_number": ids.make_resident_id("540102", __import__("datetime").date(1990, 1, 1), 3),
            "name_zh": "x",
            "hukou": "urban",
        },
    )
    r = client.get("/")
    assert "已登记 0 户、1 人。" in r.text
    assert "拉萨市" in r.text


def test_language_switch_sets_cookie_and_refuses_open_redirects(client: Any) -> None:
    r = client.get("/lang/bo", params={"next": "/tools/id-check"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tools/id-check"
    assert "lang=bo" in r.headers["set-cookie"]
    r = client.get("/lang/en", params={"next": "https://evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    r = client.get("/lang/en", params={"next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    assert client.get("/lang/fr").status_code == 404


def test_error_pages(client: Any) -> None:
    r = client.get("/no/such/page", headers={"accept": "text/html"})
    assert r.status_code == 404 and "找不到这个页面" in r.text and "Page not found" in r.text
    client.cookies.set("lang", "bo")
    r = client.get("/no/such/page", headers={"accept": "text/html"})
    assert "ཤོག་ངོས་རྙེད་མ་བྱུང་།" in r.text
    r = client.get("/api/no/such")
    assert r.status_code == 404 and r.json()["error"]["rule"] == "http_404"


def test_id_check_page_posts_and_explains(client: Any) -> None:
    r = client.post("/tools/id-check", data={"value": "110105194912310021"})
    assert r.status_code == 422 and "id_checksum" in r.text and "校验位" in r.text
    r = client.post("/tools/id-check", data={"value": "11010519491231002X"})
    assert r.status_code == 200 and "1949-12-31" in r.text


def test_docs_are_served_without_a_cdn(client: Any) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "cdn" not in r.text.lower() and "https://" not in r.text.replace("https://fastapi", "")
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/persons" in spec["paths"]


def test_pages_reference_no_external_assets(client: Any) -> None:
    for path in ("/", "/tools/id-check"):
        text = client.get(path).text
        assert "http://" not in text and "https://" not in text
    assert client.get("/static/style.css").status_code == 200


def test_healthz(client: Any) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["revision"] == HEAD


def test_home_cards_lead_into_the_programmes_that_work(app: Any, anon: Any, engine: Any) -> None:
    """No working programme says "coming soon"; a visitor's cards lead to the citizen's pages
    (sign-in first), a caseworker's to the desks they may open."""
    from tests.conftest import staff_client

    page = anon.get("/").text
    assert "即将上线" not in page
    assert 'href="/me/medical"' in page and 'href="/me/jobs"' in page
    desk = staff_client(app, engine, "caseworker", "540100").get("/").text
    assert 'href="/wages/projects"' in desk and 'href="/employment/seekers"' in desk
    assert 'href="/me/jobs"' not in desk.split('id="programmes"')[1].split("</section>")[0]
