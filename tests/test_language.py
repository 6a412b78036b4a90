"""The interface is in Chinese unless the user switches language."""

import pytest


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "用户名" in page.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Username" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/login/"})
    assert "用户名" in client.get("/admin/login/").content.decode()
