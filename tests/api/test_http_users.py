"""MAX login, set_skip_guide and current_user over real HTTP (``broker serve`` + the CAS stand-in)."""

from __future__ import annotations

import itertools
import urllib.parse
from typing import Any

import pytest

from tests.cas_server import FakeCas

from .conftest import CAS_PARENT_GROUP, Api

SERVICE = "https://broker.example.gov/auth"
USER_KEYS = {"user_id", "name", "title", "skip_guide", "website_admin", "affiliations"}
_serial = itertools.count(1)


def perm(code: str, letter: str) -> str:
    return f"{CAS_PARENT_GROUP}-CGAC_{code}-PERM_{letter}"


def new_email() -> str:
    # One server serves the whole session: each test logs in its own users.
    return f"max.user{next(_serial)}@example.gov"


def max_login(
    api: Api, cas: FakeCas, *, service: str = SERVICE, sent_service: str | None = None, **attributes: Any
) -> tuple[int, dict[str, str], Any]:
    ticket = cas.issue(service, **attributes)
    status, headers, body = api.post(
        "/v1/max_login/", {"ticket": ticket, "service": sent_service or service}, session=False
    )
    if status == 200:
        api.session = headers["x-session-id"]
    return status, headers, body


def test_first_max_login_creates_the_user_with_affiliations_from_groups(server: str, cas: FakeCas) -> None:
    api = Api(server)
    email = new_email()
    status, headers, body = max_login(
        api,
        cas,
        email=email,
        first_name="Jane",
        middle_name="Quincy",
        last_name="Doe",
        groups=[perm("020", "W"), perm("012", "r"), "OTHERAPP-CGAC_075-PERM_S", perm("999", "S")],
    )
    assert status == 200, body
    assert headers["x-session-id"]
    assert set(body) == USER_KEYS | {"message"}
    assert body["message"] == "Login successful"
    assert body["name"] == "Jane Q. Doe"
    assert body["website_admin"] is False and body["skip_guide"] is False and body["title"] is None
    assert body["affiliations"] == [
        {"agency_name": "Department of Agriculture", "permission": "reader"},
        {"agency_name": "Department of the Treasury", "permission": "writer"},
    ]
    status, _, user = api.get("/v1/current_user/")
    assert status == 200
    assert user == {k: v for k, v in body.items() if k != "message"}
    assert api.get("/v1/session/")[2] == {"status": "True"}


def test_the_service_may_come_url_encoded_as_the_web_client_sends_it(server: str, cas: FakeCas) -> None:
    api = Api(server)
    status, _, body = max_login(
        api, cas, email=new_email(), sent_service=urllib.parse.quote(SERVICE, safe="")
    )
    assert status == 200, body


def test_a_form_body_works_too(server: str, cas: FakeCas) -> None:
    api = Api(server)
    ticket = cas.issue(SERVICE, email=new_email())
    form = urllib.parse.urlencode({"ticket": ticket, "service": SERVICE}).encode()
    status, headers, body = api.call(
        "POST", "/v1/max_login/", raw=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and body["message"] == "Login successful" and headers["x-session-id"]


def test_each_login_replaces_the_rights_and_opens_a_new_session(server: str, cas: FakeCas) -> None:
    api = Api(server)
    email = new_email()
    first = max_login(api, cas, email=email, groups=[perm("020", "S"), perm("075", "W")])
    assert first[0] == 200
    old_session = api.session
    status, _, body = max_login(api, cas, email=email.upper(), groups=[perm("075", "R")])
    assert status == 200
    assert body["user_id"] == first[2]["user_id"]
    assert body["affiliations"] == [
        {"agency_name": "Department of Health and Human Services", "permission": "reader"}
    ]
    assert api.session != old_session
    assert api.get("/v1/current_user/")[2]["affiliations"] == body["affiliations"]
    # The first session is still a login of the same user (like two browsers), with today's rights.
    api.session = old_session
    assert api.get("/v1/current_user/")[2]["affiliations"] == body["affiliations"]


def test_sys_makes_a_website_admin_without_affiliations_until_it_is_taken_away(
    server: str, cas: FakeCas
) -> None:
    api = Api(server)
    email = new_email()
    status, _, body = max_login(
        api, cas, email=email, groups=[f"{CAS_PARENT_GROUP}-CGAC_SYS", perm("020", "S")]
    )
    assert status == 200
    assert (body["website_admin"], body["affiliations"]) == (True, [])
    status, _, body = max_login(api, cas, email=email, groups=[perm("020", "S")])
    assert (body["website_admin"], body["affiliations"]) == (
        False,
        [{"agency_name": "Department of the Treasury", "permission": "submitter"}],
    )


def test_groups_of_another_parent_group_grant_nothing(server: str, cas: FakeCas) -> None:
    api = Api(server)
    status, _, body = max_login(
        api, cas, email=new_email(), groups=["EXAMPLE-CGAC_SYS", "EXAMPLE-CGAC_020-PERM_S"]
    )
    assert status == 200
    assert (body["website_admin"], body["affiliations"]) == (False, [])


def test_a_malformed_group_is_skipped_not_a_400(server: str, cas: FakeCas) -> None:
    api = Api(server)
    groups = [f"{CAS_PARENT_GROUP}-CGAC_020-PERM_", f"{CAS_PARENT_GROUP}-CGAC_020-PERM_RW", perm("012", "s")]
    status, _, body = max_login(api, cas, email=new_email(), groups=groups)
    assert status == 200, body
    assert body["affiliations"] == [{"agency_name": "Department of Agriculture", "permission": "submitter"}]


def test_a_max_user_has_no_password(server: str, cas: FakeCas) -> None:
    api = Api(server)
    email = new_email()
    assert max_login(api, cas, email=email)[0] == 200
    status, _, body = api.post("/v1/login/", {"username": email, "password": "anything"}, session=False)
    assert (status, body) == (401, {"message": "Invalid username and/or password"})


@pytest.mark.parametrize("case", ["unknown", "wrong service", "reused"])
def test_refused_tickets_are_401(server: str, cas: FakeCas, case: str) -> None:
    api = Api(server)
    if case == "unknown":
        ticket = "ST-0-never-issued"
    elif case == "wrong service":
        ticket = cas.issue("https://elsewhere.example/", email=new_email())
    else:
        ticket = cas.issue(SERVICE, email=new_email())
        assert api.post("/v1/max_login/", {"ticket": ticket, "service": SERVICE})[0] == 200
    status, _, body = api.post("/v1/max_login/", {"ticket": ticket, "service": SERVICE}, session=False)
    assert (status, body) == (401, {"message": "You have failed to login successfully with MAX"})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"service": SERVICE}, "ticket: Missing data for required field."),
        ({"ticket": "ST-1"}, "service: Missing data for required field."),
        ({}, "ticket: Missing data for required field."),
    ],
)
def test_missing_fields_are_400(anonymous: Api, payload: dict[str, str], message: str) -> None:
    assert anonymous.post("/v1/max_login/", payload)[::2] == (400, {"message": message})


@pytest.mark.parametrize(
    ("missing", "attribute"),
    [("email", "Email-Address"), ("first_name", "First-Name"), ("last_name", "Last-Name")],
)
def test_missing_attributes_are_400_naming_them(
    server: str, cas: FakeCas, missing: str, attribute: str
) -> None:
    api = Api(server)
    attributes: dict[str, Any] = {"email": new_email(), missing: None}
    status, headers, body = max_login(api, cas, **attributes)
    assert (status, body) == (400, {"message": f"{attribute}: MAX did not send this attribute."})
    assert "x-session-id" not in headers


@pytest.mark.parametrize("fault", [500, "drop", "malformed", "html"])
def test_cas_down_or_garbled_is_a_503_with_a_plain_message(
    server: str, cas: FakeCas, fault: int | str
) -> None:
    api = Api(server)
    ticket = cas.issue(SERVICE, email=new_email())
    cas.fail(fault)
    status, headers, body = api.post("/v1/max_login/", {"ticket": ticket, "service": SERVICE})
    assert status == 503
    assert headers["content-type"].startswith("application/json")
    assert body == {
        "message": "MAX login is unavailable right now: the broker could not reach MAX. Try again later."
    }
    # The outage passes: the next login works (the faulty attempt did not reach the ticket).
    assert max_login(api, cas, email=new_email())[0] == 200


# --------------------------------------------------------------------------- set_skip_guide


@pytest.fixture
def max_user(server: str, cas: FakeCas) -> Api:
    api = Api(server)
    status, _, body = max_login(api, cas, email=new_email(), groups=[perm("020", "R")])
    assert status == 200, body
    return api


@pytest.mark.parametrize(
    ("sent", "expected"), [(True, True), (False, False), ("TRUE", True), ("false", False), ("True", True)]
)
def test_set_skip_guide_answers_a_boolean_and_current_user_shows_it(
    max_user: Api, sent: object, expected: bool
) -> None:
    status, _, body = max_user.post("/v1/set_skip_guide/", {"skip_guide": sent})
    assert (status, body) == (200, {"message": "skip_guide set successfully", "skip_guide": expected})
    assert max_user.get("/v1/current_user/")[2]["skip_guide"] is expected


def test_set_skip_guide_accepts_a_form(max_user: Api) -> None:
    status, _, body = max_user.call(
        "POST",
        "/v1/set_skip_guide/",
        raw=b"skip_guide=TRUE",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, body) == (200, {"message": "skip_guide set successfully", "skip_guide": True})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "Must include skip_guide parameter"),
        ({"skip_guide": "maybe"}, "skip_guide must be true or false"),
        ({"skip_guide": None}, "skip_guide must be true or false"),
        ({"skip_guide": 1}, "skip_guide must be true or false"),
    ],
)
def test_set_skip_guide_refuses_other_values(max_user: Api, payload: dict[str, object], message: str) -> None:
    assert max_user.post("/v1/set_skip_guide/", payload)[::2] == (400, {"message": message})
    assert max_user.get("/v1/current_user/")[2]["skip_guide"] is False


def test_set_skip_guide_without_a_body_or_content_type_is_a_400_not_a_500(max_user: Api) -> None:
    assert max_user.call("POST", "/v1/set_skip_guide/", raw=b"")[::2] == (
        400,
        {"message": "Must include skip_guide parameter"},
    )


def test_set_skip_guide_needs_a_login(anonymous: Api) -> None:
    assert anonymous.post("/v1/set_skip_guide/", {"skip_guide": True})[::2] == (
        401,
        {"message": "Login Required"},
    )
    anonymous.session = "forged-session-id"
    assert anonymous.post("/v1/set_skip_guide/", {"skip_guide": True})[::2] == (
        401,
        {"message": "Login Required"},
    )


def test_max_login_needs_no_session_and_keeps_the_old_one_anonymous(anonymous: Api, cas: FakeCas) -> None:
    anonymous.session = "forged-session-id"
    status, headers, _ = max_login(anonymous, cas, email=new_email())
    assert status == 200
    assert headers["x-session-id"] != "forged-session-id"
