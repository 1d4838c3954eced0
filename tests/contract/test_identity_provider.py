"""The IdentityProvider port: ``CasIdentityProvider`` against the CAS stand-in over real HTTP."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from broker_adapters.cas import CasIdentityProvider, parse_service_response
from broker_core.identity import Identity, IdentityProviderUnavailable
from tests.cas_server import FakeCas, fake_cas

SERVICE = "https://broker.example.gov/auth?next=%2Fsubmissions&x=a b"


@pytest.fixture(scope="module")
def cas() -> Iterator[FakeCas]:
    with fake_cas() as server:
        yield server


@pytest.fixture
def provider(cas: FakeCas) -> Iterator[CasIdentityProvider]:
    cas.faults.clear()
    client = CasIdentityProvider(cas.url, timeout=5, backoff=0.01)
    yield client
    client.close()


def test_a_valid_ticket_gives_the_identity_with_its_attributes(
    cas: FakeCas, provider: CasIdentityProvider
) -> None:
    ticket = cas.issue(
        SERVICE,
        email="jane.doe@example.gov",
        first_name="Jane",
        middle_name="Quincy",
        last_name="O'Doe & Sons",
        groups=["EXAMPLE-CGAC_020-PERM_W", "EXAMPLE-CGAC_SYS", "OTHER-APP"],
    )
    assert provider.validate(ticket, SERVICE) == Identity(
        email="jane.doe@example.gov",
        first_name="Jane",
        middle_name="Quincy",
        last_name="O'Doe & Sons",
        groups=("EXAMPLE-CGAC_020-PERM_W", "EXAMPLE-CGAC_SYS", "OTHER-APP"),
    )
    sent = cas.requests[-1]
    assert (sent["path"], sent["ticket"], sent["service"]) == ("/cas/serviceValidate", ticket, SERVICE)


def test_attributes_not_sent_are_none(cas: FakeCas, provider: CasIdentityProvider) -> None:
    ticket = cas.issue(SERVICE, email=None, middle_name=None, groups=None)
    assert provider.validate(ticket, SERVICE) == Identity(
        email=None, first_name="Max", middle_name=None, last_name="User", groups=()
    )


def test_an_unknown_ticket_is_refused(provider: CasIdentityProvider) -> None:
    assert provider.validate("ST-0-never-issued", SERVICE) is None


def test_a_ticket_for_another_service_is_refused(cas: FakeCas, provider: CasIdentityProvider) -> None:
    ticket = cas.issue("https://other.example.gov/")
    assert provider.validate(ticket, SERVICE) is None


def test_a_ticket_is_good_for_one_validation(cas: FakeCas, provider: CasIdentityProvider) -> None:
    ticket = cas.issue(SERVICE)
    assert provider.validate(ticket, SERVICE) is not None
    assert provider.validate(ticket, SERVICE) is None


def test_a_server_that_is_down_is_unavailable_after_the_connect_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = CasIdentityProvider(f"http://127.0.0.1:{port}/cas", timeout=2, backoff=0.01)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG), pytest.raises(IdentityProviderUnavailable) as raised:
        client.validate("ST-1", SERVICE)
    assert time.monotonic() - started < 5
    assert caplog.text.count("retrying") == 2  # three attempts in all
    assert "ST-1" not in caplog.text
    assert "ST-1" not in str(raised.value)  # the ticket stays out of messages and logs
    assert "could not reach MAX" in str(raised.value)


def test_connection_failures_are_retried_but_answers_are_not(
    cas: FakeCas, provider: CasIdentityProvider
) -> None:
    # A dropped connection happens after the request reached CAS: the ticket may be
    # spent, so it is not retried (the next request gets its normal answer).
    ticket = cas.issue(SERVICE)
    cas.fail("drop")
    before = len(cas.requests)
    with pytest.raises(IdentityProviderUnavailable):
        provider.validate(ticket, SERVICE)
    assert len(cas.requests) == before + 1
    assert provider.validate(ticket, SERVICE) is not None


@pytest.mark.parametrize("fault", [500, 503, 404, "malformed", "html"])
def test_server_errors_and_unreadable_answers_are_unavailable(
    cas: FakeCas, provider: CasIdentityProvider, fault: int | str
) -> None:
    cas.fail(fault)
    with pytest.raises(IdentityProviderUnavailable):
        provider.validate(cas.issue(SERVICE), SERVICE)


def test_the_client_recovers_after_a_fault(cas: FakeCas, provider: CasIdentityProvider) -> None:
    cas.fail(500, "malformed")
    for _ in range(2):
        with pytest.raises(IdentityProviderUnavailable):
            provider.validate("ST-x", SERVICE)
    assert provider.validate(cas.issue(SERVICE), SERVICE) is not None


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="BROKER_CAS_URL"):
        CasIdentityProvider("login.max.gov/cas")


# --------------------------------------------------------------------------- the parser alone

_NS = 'xmlns:cas="http://www.yale.edu/tp/cas"'


def test_cas2_attributes_beside_the_user_and_other_prefixes_are_read() -> None:
    body = (
        f'<cas:serviceResponse {_NS} xmlns:maxAttribute="urn:max">'
        "<cas:authenticationSuccess><cas:user>jd</cas:user>"
        "<maxAttribute:Email-Address>jd@example.gov</maxAttribute:Email-Address>"
        "<maxAttribute:First-Name>J</maxAttribute:First-Name><maxAttribute:Last-Name>D</maxAttribute:Last-Name>"
        "<maxAttribute:GroupList>A-CGAC_SYS</maxAttribute:GroupList>"
        "<maxAttribute:GroupList>B-x, C-y</maxAttribute:GroupList>"
        "</cas:authenticationSuccess></cas:serviceResponse>"
    ).encode()
    assert parse_service_response(body) == Identity(
        email="jd@example.gov",
        first_name="J",
        middle_name=None,
        last_name="D",
        groups=("A-CGAC_SYS", "B-x", "C-y"),
    )


def test_entities_are_not_expanded() -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<cas:serviceResponse {_NS}><cas:authenticationSuccess><cas:attributes>"
        "<cas:Email-Address>&x;</cas:Email-Address></cas:attributes>"
        "</cas:authenticationSuccess></cas:serviceResponse>"
    ).encode()
    identity = parse_service_response(body)
    assert identity is not None and identity.email is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<feed/>",
        b'<serviceResponse xmlns="urn:other"><authenticationSuccess/></serviceResponse>',
        f"<cas:serviceResponse {_NS}><cas:proxySuccess/></cas:serviceResponse>".encode(),
    ],
)
def test_other_documents_are_unavailable(body: bytes) -> None:
    with pytest.raises(IdentityProviderUnavailable):
        parse_service_response(body)
