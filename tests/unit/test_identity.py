"""MAX login: group → rights mapping, display names, and the AuthService use cases over fakes."""

from __future__ import annotations

import logging
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.identity import (
    GroupRights,
    Identity,
    IdentityProviderUnavailable,
    SkippedGroup,
    display_name,
    group_rights,
    normalise_service,
    split_group_list,
)
from broker_core.services.auth import AuthService, LoginResult
from broker_core.users import Affiliation, PermissionLevel, User

from .fakes import FakeClock, FakeIdentityProvider, FakeUnitOfWorkFactory, PlainHasher

PARENT = "EXAMPLE"
AGENCIES = {"020": "Department of the Treasury", "012": "Department of Agriculture", "1700": "Navy"}
SERVICE = "https://broker.example.gov/auth"
R, W, S = PermissionLevel.READER, PermissionLevel.WRITER, PermissionLevel.SUBMITTER


def rights(*groups: str) -> GroupRights:
    return group_rights(groups, PARENT, AGENCIES.__contains__)


def perm(code: str, letter: str) -> str:
    return f"{PARENT}-CGAC_{code}-PERM_{letter}"


# --------------------------------------------------------------------------- names and group lists


@pytest.mark.parametrize(
    ("first", "middle", "last", "expected"),
    [
        ("Jane", None, "Doe", "Jane Doe"),
        ("Jane", "", "Doe", "Jane Doe"),
        ("Jane", "   ", "Doe", "Jane Doe"),
        ("Jane", "Quincy", "Doe", "Jane Q. Doe"),
        (" Jane ", " quincy", " Doe ", "Jane q. Doe"),
    ],
)
def test_display_name(first: str, middle: str | None, last: str, expected: str) -> None:
    assert display_name(first, middle, last) == expected


@given(
    first=st.text(min_size=1).filter(str.strip),
    middle=st.text().filter(str.strip),
    last=st.text(min_size=1).filter(str.strip),
)
def test_display_name_uses_the_middle_initial_only(first: str, middle: str, last: str) -> None:
    assert display_name(first, middle, last) == f"{first.strip()} {middle.strip()[0]}. {last.strip()}"


def test_split_group_list() -> None:
    assert split_group_list(None) == ()
    assert split_group_list("") == ()
    assert split_group_list(" A-CGAC_SYS , ,B-x,") == ("A-CGAC_SYS", "B-x")


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("http%3A%2F%2Fbroker.example.gov%2Fauth", "http://broker.example.gov/auth"),
        ("https://broker.example.gov/auth?next=%2Fhome", "https://broker.example.gov/auth?next=%2Fhome"),
        ("  https://broker.example.gov/auth ", "https://broker.example.gov/auth"),
        ("not-a-url%20at-all", "not-a-url%20at-all"),
    ],
)
def test_normalise_service_decodes_an_encoded_url_once(sent: str, expected: str) -> None:
    assert normalise_service(sent) == expected


# --------------------------------------------------------------------------- group rights


def test_groups_become_affiliations_with_the_prefix_stripped() -> None:
    assert rights(perm("020", "W"), perm("012", "r"), "OTHERAPP-CGAC_075-PERM_S") == GroupRights(
        website_admin=False, affiliations=(Affiliation("012", R), Affiliation("020", W))
    )


def test_sys_makes_an_admin_without_affiliations() -> None:
    assert rights(perm("020", "S"), f"{PARENT}-CGAC_SYS", "junk") == GroupRights(
        website_admin=True, affiliations=()
    )


def test_sys_of_another_parent_group_grants_nothing() -> None:
    assert rights("OTHER-CGAC_SYS") == GroupRights(website_admin=False, affiliations=())


def test_no_groups_still_means_a_user_without_rights() -> None:
    assert rights() == GroupRights(website_admin=False, affiliations=())


def test_frec_codes_work_when_the_agency_exists() -> None:
    assert rights(perm("1700", "s")).affiliations == (Affiliation("1700", S),)


@pytest.mark.parametrize(
    "entry",
    [
        f"{PARENT}-CGAC_020-PERM_",  # empty level (the original turned this into a 400 for the whole login)
        f"{PARENT}-CGAC_020-PERM_RW",  # two letters
        f"{PARENT}-CGAC_020-PERM_X",
        f"{PARENT}-CGAC_020",
        f"{PARENT}-CGAC_-PERM_R",
        f"{PARENT}-CGAC_020-PERM_R-PERM_W",
        f"{PARENT}-CGAC_",
    ],
)
def test_malformed_entries_are_skipped_and_reported(entry: str) -> None:
    result = rights(entry, perm("012", "W"))
    assert result.affiliations == (Affiliation("012", W),)
    assert [s.group for s in result.skipped] == [entry]
    assert not result.website_admin


def test_unknown_agencies_are_skipped_with_their_reason() -> None:
    result = rights(perm("999", "S"), perm("999", "R"))
    assert result.affiliations == ()
    assert result.skipped == (
        SkippedGroup(perm("999", "S"), "unknown agency code '999'"),
        SkippedGroup(perm("999", "R"), "unknown agency code '999'"),
    )


def test_each_agency_is_looked_up_once() -> None:
    asked: list[str] = []

    def exists(code: str) -> bool:
        asked.append(code)
        return True

    group_rights([perm("020", "R"), perm("020", "W"), perm("012", "R")], PARENT, exists)
    assert asked == ["020", "012"]


_entries = st.tuples(st.sampled_from(sorted(AGENCIES)), st.sampled_from("RWSrws"))


@given(entries=st.lists(_entries, min_size=1, max_size=12), seed=st.integers())
def test_the_highest_level_per_agency_wins_whatever_the_order(
    entries: list[tuple[str, str]], seed: int
) -> None:
    groups = [perm(code, letter) for code, letter in entries]
    shuffled = groups[:]
    random.Random(seed).shuffle(shuffled)
    letters = {"R": R, "W": W, "S": S}
    best: dict[str, PermissionLevel] = {}
    for code, letter in entries:
        level = letters[letter.upper()]
        best[code] = max(best.get(code, level), level, key=lambda p: p.value)
    expected = tuple(Affiliation(code, best[code]) for code in sorted(best))
    assert rights(*groups).affiliations == expected
    assert rights(*shuffled).affiliations == expected


@given(groups=st.lists(st.text(max_size=30), max_size=10), others=st.lists(st.text(max_size=30), max_size=5))
def test_any_group_list_maps_without_error_and_foreign_groups_change_nothing(
    groups: list[str], others: list[str]
) -> None:
    foreign = [f"ELSEWHERE-{g}" for g in others]
    result = rights(*groups)
    assert rights(*groups, *foreign) == result
    if not result.website_admin:
        ours = [g for g in groups if g.strip().startswith(f"{PARENT}-CGAC_")]
        # Every group of ours either grants an affiliation or is reported as skipped.
        assert len(result.skipped) <= len(ours)
        assert len(result.affiliations) <= len(ours) - len(result.skipped)


# --------------------------------------------------------------------------- AuthService.max_login


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    factory.store.agency_names.update(AGENCIES)
    return factory


@pytest.fixture
def auth(uow_factory: FakeUnitOfWorkFactory) -> AuthService:
    return AuthService(uow_factory=uow_factory, hasher=PlainHasher(), clock=FakeClock())


@pytest.fixture
def provider() -> FakeIdentityProvider:
    return FakeIdentityProvider()


def identity(
    *groups: str, email: str | None = "Jane.Doe@Example.gov", middle: str | None = "Quincy"
) -> Identity:
    return Identity(email=email, first_name="Jane", middle_name=middle, last_name="Doe", groups=groups)


def max_login(
    auth: AuthService, provider: FakeIdentityProvider, who: Identity, ticket: str = "ST-1"
) -> LoginResult:
    provider.grant(ticket, SERVICE, who)
    return auth.max_login({"ticket": ticket, "service": SERVICE}, provider, parent_group=PARENT)


def stored(uow_factory: FakeUnitOfWorkFactory, email: str) -> User:
    return next(u for u in uow_factory.store.users.values() if u.email == email)


def test_first_login_creates_the_user_with_rights_and_a_session(
    auth: AuthService, provider: FakeIdentityProvider, uow_factory: FakeUnitOfWorkFactory
) -> None:
    result = max_login(auth, provider, identity(perm("020", "W"), perm("012", "R")))
    user = stored(uow_factory, "jane.doe@example.gov")
    assert user.name == "Jane Q. Doe" and user.password_hash is None and not user.website_admin
    assert user.affiliations == [Affiliation("012", R), Affiliation("020", W)]
    assert result.user.name == "Jane Q. Doe"
    assert [(a.agency_name, a.permission) for a in result.user.affiliations] == [
        ("Department of Agriculture", "reader"),
        ("Department of the Treasury", "writer"),
    ]
    assert auth.authenticate(result.session_uid).user_id == user.user_id


def test_every_login_rebuilds_rights_and_name_and_opens_a_fresh_session(
    auth: AuthService, provider: FakeIdentityProvider, uow_factory: FakeUnitOfWorkFactory
) -> None:
    first = max_login(auth, provider, identity(perm("020", "S"), perm("012", "W")), "ST-1")
    second = max_login(auth, provider, identity(perm("012", "r"), middle=None), "ST-2")
    assert second.session_uid != first.session_uid
    assert second.user.user_id == first.user.user_id
    user = stored(uow_factory, "jane.doe@example.gov")
    assert user.name == "Jane Doe"
    assert user.affiliations == [Affiliation("012", R)]
    admin = max_login(auth, provider, identity(f"{PARENT}-CGAC_SYS", perm("020", "S")), "ST-3")
    assert admin.user.website_admin and admin.user.affiliations == []
    demoted = max_login(auth, provider, identity(), "ST-4")
    assert not demoted.user.website_admin and demoted.user.affiliations == []
    assert len(uow_factory.store.users) == 1


def test_an_existing_password_user_keeps_the_password_and_gets_max_rights(
    auth: AuthService, provider: FakeIdentityProvider, uow_factory: FakeUnitOfWorkFactory
) -> None:
    auth.add_user("jane.doe@example.gov", "J. Doe", "pw", website_admin=True)
    result = max_login(auth, provider, identity(perm("020", "R")))
    assert not result.user.website_admin
    user = stored(uow_factory, "jane.doe@example.gov")
    assert user.password_hash == "plain:pw" and user.affiliations == [Affiliation("020", R)]


def test_malformed_groups_are_logged_and_the_login_goes_on(
    auth: AuthService, provider: FakeIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="broker_core.services.auth"):
        result = max_login(auth, provider, identity(f"{PARENT}-CGAC_020-PERM_", perm("012", "W")))
    assert [(a.agency_name, a.permission) for a in result.user.affiliations] == [
        ("Department of Agriculture", "writer")
    ]
    assert f"{PARENT}-CGAC_020-PERM_" in caplog.text


def test_a_refused_ticket_is_a_401(auth: AuthService, provider: FakeIdentityProvider) -> None:
    provider.grant("ST-1", "https://elsewhere.example/", identity())
    with pytest.raises(LoginRequired) as raised:
        auth.max_login({"ticket": "ST-1", "service": SERVICE}, provider, parent_group=PARENT)
    assert raised.value.message == "You have failed to login successfully with MAX"
    assert raised.value.status == 401
    with pytest.raises(LoginRequired):  # spent by the first attempt
        auth.max_login(
            {"ticket": "ST-1", "service": "https://elsewhere.example/"}, provider, parent_group=PARENT
        )


def test_a_blank_ticket_is_refused_without_asking_the_provider(
    auth: AuthService, provider: FakeIdentityProvider
) -> None:
    with pytest.raises(LoginRequired):
        auth.max_login({"ticket": "  ", "service": SERVICE}, provider, parent_group=PARENT)
    assert provider.calls == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"service": SERVICE}, "ticket: Missing data for required field."),
        ({"ticket": "ST-1"}, "service: Missing data for required field."),
        ({"ticket": 5, "service": SERVICE}, "ticket: Not a valid string."),
    ],
)
def test_missing_fields_are_400(
    auth: AuthService, provider: FakeIdentityProvider, form: dict[str, object], message: str
) -> None:
    with pytest.raises(RequestInvalid) as raised:
        auth.max_login(form, provider, parent_group=PARENT)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("who", "attribute"),
    [
        (Identity(email=None, first_name="Jane", middle_name=None, last_name="Doe"), "Email-Address"),
        (Identity(email=" ", first_name="Jane", middle_name=None, last_name="Doe"), "Email-Address"),
        (Identity(email="j@example.gov", first_name=None, middle_name=None, last_name="Doe"), "First-Name"),
        (Identity(email="j@example.gov", first_name="Jane", middle_name="Q", last_name=None), "Last-Name"),
    ],
)
def test_missing_attributes_are_400_naming_the_attribute(
    auth: AuthService,
    provider: FakeIdentityProvider,
    uow_factory: FakeUnitOfWorkFactory,
    who: Identity,
    attribute: str,
) -> None:
    with pytest.raises(RequestInvalid) as raised:
        max_login(auth, provider, who)
    assert raised.value.message == f"{attribute}: MAX did not send this attribute."
    assert uow_factory.store.users == {} and uow_factory.store.sessions == {}


def test_an_unreachable_provider_propagates(auth: AuthService, provider: FakeIdentityProvider) -> None:
    provider.unavailable = True
    with pytest.raises(IdentityProviderUnavailable):
        max_login(auth, provider, identity())


def test_an_encoded_service_is_decoded_before_validation(
    auth: AuthService, provider: FakeIdentityProvider
) -> None:
    provider.grant("ST-9", "http://broker.example.gov/auth", identity())
    auth.max_login(
        {"ticket": "ST-9", "service": "http%3A%2F%2Fbroker.example.gov%2Fauth"}, provider, parent_group=PARENT
    )
    assert provider.calls == [("ST-9", "http://broker.example.gov/auth")]


def test_a_max_user_cannot_log_in_with_a_password(auth: AuthService, provider: FakeIdentityProvider) -> None:
    max_login(auth, provider, identity())
    with pytest.raises(LoginRequired):
        auth.login({"username": "jane.doe@example.gov", "password": "anything"})


# --------------------------------------------------------------------------- AuthService.set_skip_guide


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), ("True", True), (" false ", False)],
)
def test_set_skip_guide_stores_the_flag(
    auth: AuthService,
    provider: FakeIdentityProvider,
    uow_factory: FakeUnitOfWorkFactory,
    value: object,
    expected: bool,
) -> None:
    user = auth.authenticate(max_login(auth, provider, identity()).session_uid)
    assert auth.set_skip_guide(user, {"skip_guide": value}) is expected
    assert stored(uow_factory, "jane.doe@example.gov").skip_guide is expected
    assert auth.user_view(user).skip_guide is expected


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Must include skip_guide parameter"),
        ({"skip_guide": "maybe"}, "skip_guide must be true or false"),
        ({"skip_guide": None}, "skip_guide must be true or false"),
        ({"skip_guide": 1}, "skip_guide must be true or false"),
        ({"skip_guide": ["true"]}, "skip_guide must be true or false"),
    ],
)
def test_set_skip_guide_refuses_anything_else(
    auth: AuthService, provider: FakeIdentityProvider, form: dict[str, object], message: str
) -> None:
    user = auth.authenticate(max_login(auth, provider, identity()).session_uid)
    with pytest.raises(RequestInvalid) as raised:
        auth.set_skip_guide(user, form)
    assert raised.value.message == message
