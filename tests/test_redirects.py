"""`next` and `back` send a browser only to a path on this site, and bad values never 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.redirects import safe_path
from tests.factories import PASSWORD, make_account

# Each of these, as the Location header, would take a browser to another site or break the
# response: tabs and newlines are dropped by browsers, backslashes read as slashes.
HOSTILE = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "%0d%0a/",
    "/%5C/evil.example",
    "//evil.example",
    "https://evil.example/",
    "/%20/evil.example",
    "%20//evil.example",
    "/%E3%80%80/evil.example",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_sign_in_next_never_leaves_the_site(
    client: FlaskClient, session: Session, raw: str
) -> None:
    account = make_account(session)
    session.commit()
    response = client.post(
        f"/sign-in?next={raw}", data={"username": account.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("raw", HOSTILE)
def test_contrast_back_never_leaves_the_site(client: FlaskClient, raw: str) -> None:
    response = client.post(
        "/display/contrast",
        data=f"back={raw}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_a_plain_path_with_a_query_is_kept(client: FlaskClient, session: Session) -> None:
    account = make_account(session)
    session.commit()
    response = client.post(
        "/sign-in?next=/pupils/%3Fclass%3D2",
        data={"username": account.username, "password": PASSWORD},
    )
    assert response.location == "/pupils/?class=2"
    assert client.post("/display/contrast", data={"back": "/about"}).location == "/about"


def test_safe_path_refuses_what_browsers_would_rewrite() -> None:
    assert safe_path("/a/b?c=d#e", "/") == "/a/b?c=d#e"
    for bad in ["/\t/x.example", "/\n/x", "/\r/x", " /x", "/x\x00", "\\\\x.example", None, 3, ""]:
        assert safe_path(bad, "/home") == "/home"
