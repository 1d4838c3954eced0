"""MAX's CAS server over HTTP: the production :class:`~broker_core.identity.IdentityProvider`.

``GET {base}/serviceValidate?ticket=…&service=…`` answers (CAS 2.0/3.0)::

    <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
      <cas:authenticationSuccess>
        <cas:user>…</cas:user>
        <cas:attributes><cas:Email-Address>…</cas:Email-Address>…</cas:attributes>
      </cas:authenticationSuccess>
    </cas:serviceResponse>

or ``<cas:authenticationFailure code="INVALID_TICKET">…`` when the ticket is
refused. Attributes are read by local name, whatever their namespace (MAX has
sent them as ``cas:`` and as ``maxAttribute:`` elements).

Only failures to connect are retried: once the request has reached CAS the
ticket may be spent, and a second validation would be refused anyway.
"""

from __future__ import annotations

import logging
import time
import urllib.parse

import urllib3
from lxml import etree
from urllib3.exceptions import ConnectTimeoutError, HTTPError

from broker_core.identity import Identity, IdentityProviderUnavailable, split_group_list

log = logging.getLogger(__name__)

DEFAULT_URL = "https://login.max.gov/cas"
CAS_NAMESPACE = "http://www.yale.edu/tp/cas"
#: A validation answer is a few hundred bytes; anything near this is not one.
MAX_RESPONSE_BYTES = 1024 * 1024

_SUCCESS = f"{{{CAS_NAMESPACE}}}authenticationSuccess"
_FAILURE = f"{{{CAS_NAMESPACE}}}authenticationFailure"
_ATTRIBUTES = f"{{{CAS_NAMESPACE}}}attributes"
_ROOT = f"{{{CAS_NAMESPACE}}}serviceResponse"

# Untrusted input: no DTD, no entity expansion, no network, libxml2's size limits kept.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


class CasIdentityProvider:
    """Validates MAX tickets against a CAS server at ``base_url`` (e.g. ``https://login.max.gov/cas``).

    ``timeout``: seconds to wait for the connection and for the answer.
    ``connect_retries``: further attempts when the connection cannot be made,
    after pauses of ``backoff`` seconds, doubling each time.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float = 30.0,
        connect_retries: int = 2,
        backoff: float = 0.25,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"BROKER_CAS_URL={base_url!r} is not an http(s) URL")
        if timeout <= 0 or connect_retries < 0:
            raise ValueError("timeout must be > 0 and connect_retries >= 0")
        self.validate_url = parts._replace(query="", fragment="").geturl().rstrip("/") + "/serviceValidate"
        self.connect_retries = connect_retries
        self.backoff = backoff
        self._http = urllib3.PoolManager(
            num_pools=2,
            maxsize=4,
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            # Retried in _fetch: urllib3's own retry log lines would carry the ticket.
            retries=False,
        )

    def validate(self, ticket: str, service: str) -> Identity | None:
        url = f"{self.validate_url}?{urllib.parse.urlencode({'ticket': ticket, 'service': service})}"
        body = self._fetch(url)
        try:
            return parse_service_response(body)
        except IdentityProviderUnavailable as exc:
            log.error("MAX (CAS) answered something unreadable at %s: %s", self.validate_url, exc.detail)
            raise

    def close(self) -> None:
        self._http.clear()

    def _fetch(self, url: str) -> bytes:
        attempt = 0
        while True:
            try:
                response = self._http.request("GET", url, preload_content=False)
                break
            # Refused, unresolvable, no answer to connect (NewConnectionError is one): nothing was sent.
            except ConnectTimeoutError as exc:
                if attempt >= self.connect_retries:
                    raise self._unavailable(exc) from exc
                log.warning("MAX (CAS) connection failed (%s); retrying", type(exc).__name__)
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
            except HTTPError as exc:  # reset or timed out after the request went out: not retried
                raise self._unavailable(exc) from exc
        complete = False
        try:
            if response.status != 200:
                log.error("MAX (CAS) answered HTTP %d at %s", response.status, self.validate_url)
                raise IdentityProviderUnavailable(f"HTTP {response.status} from {self.validate_url}")
            body = response.read(MAX_RESPONSE_BYTES + 1)  # fewer bytes than asked: the whole answer
            complete = len(body) <= MAX_RESPONSE_BYTES
        except HTTPError as exc:  # cut off while reading the answer
            raise self._unavailable(exc) from exc
        finally:
            if not complete:
                response.close()  # part of an answer is still on the connection: never reuse it
            response.release_conn()
        if not complete:
            raise IdentityProviderUnavailable(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
        return bytes(body)

    def _unavailable(self, exc: HTTPError) -> IdentityProviderUnavailable:
        # Neither this text nor urllib3's holds the request's URL, so the ticket stays out of the logs.
        detail = f"{type(exc).__name__} at {self.validate_url}: {exc}"
        log.error("MAX (CAS) unreachable: %s", detail)
        return IdentityProviderUnavailable(detail)


def parse_service_response(body: bytes) -> Identity | None:
    """A ``serviceValidate`` answer: the identity on success, None on an authentication failure.

    Raises :class:`IdentityProviderUnavailable` when ``body`` is not a CAS
    service response (malformed XML, another document, neither outcome).
    """
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise IdentityProviderUnavailable(f"malformed XML: {exc}") from None
    if root is None or root.tag != _ROOT:
        tag = None if root is None else root.tag
        raise IdentityProviderUnavailable(f"not a CAS service response (root {tag!r})")
    success = root.find(_SUCCESS)
    if success is None:
        failure = root.find(_FAILURE)
        if failure is None:
            raise IdentityProviderUnavailable("neither authenticationSuccess nor authenticationFailure")
        log.info(
            "MAX (CAS) refused a ticket: %s %s", failure.get("code", ""), (failure.text or "").strip()[:200]
        )
        return None
    # CAS 3.0 nests attributes under cas:attributes; some CAS 2.0 servers put them beside cas:user.
    holder = success.find(_ATTRIBUTES)
    values: dict[str, list[str]] = {}
    for element in holder if holder is not None else success:
        if not isinstance(element.tag, str):
            continue  # an unresolved entity reference
        name = etree.QName(element).localname
        text = (element.text or "").strip()
        if text:
            values.setdefault(name, []).append(text)

    def first(name: str) -> str | None:
        found = values.get(name)
        return found[0] if found else None

    # A multi-valued GroupList (one element per value) and a comma-separated one mean the same.
    groups = tuple(group for text in values.get("GroupList", []) for group in split_group_list(text))
    return Identity(
        email=first("Email-Address"),
        first_name=first("First-Name"),
        middle_name=first("Middle-Name"),
        last_name=first("Last-Name"),
        groups=groups,
    )
