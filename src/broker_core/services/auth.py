"""Use cases of users and sessions: password and MAX login, logout, session lookup, user views."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Mapping, Sequence

import attrs

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.identity import IdentityProvider, display_name, group_rights, normalise_service
from broker_core.login_throttle import LoginThrottle
from broker_core.ports import Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from broker_core.users import SESSION_LIFETIME, Affiliation, PermissionLevel, Session, User

INVALID_CREDENTIALS = "Invalid username and/or password"
MAX_LOGIN_FAILED = "You have failed to login successfully with MAX"
SKIP_GUIDE_MISSING = "Must include skip_guide parameter"
SKIP_GUIDE_INVALID = "skip_guide must be true or false"

log = logging.getLogger(__name__)

#: A live session's expiry is pushed forward at most this often, so that a
#: burst of requests does not turn every read into a database write.
_EXTEND_EVERY = dt.timedelta(minutes=1)
#: Bound of the in-process cache of authenticated sessions (emptied when full).
_MAX_CACHED_SESSIONS = 10_000


@attrs.frozen
class AffiliationView:
    agency_name: str
    permission: str


@attrs.frozen
class UserView:
    """The JSON shape of a user (the original's ``json_for_user``)."""

    user_id: int
    name: str
    title: str | None
    skip_guide: bool
    website_admin: bool
    affiliations: list[AffiliationView]


@attrs.frozen
class LoginResult:
    session_uid: str
    user: UserView


@attrs.define
class AuthService:
    uow_factory: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    #: Limits failed logins per account and per client address (None: unlimited).
    throttle: LoginThrottle | None = None
    #: How long (seconds, at most 2) this process remembers an authenticated session, so that
    #: a client polling a status does not cost a database read per request; 0: never. A logout
    #: or a change of a user through this service forgets at once; one made elsewhere (another
    #: API process, the command line) takes effect within this time. Session expiry is checked
    #: on every request.
    session_cache_seconds: float = 0.0
    _sessions: dict[str, tuple[float, Session, User]] = attrs.field(factory=dict, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.session_cache_seconds <= 2:
            raise ValueError("session_cache_seconds must be between 0 and 2")

    def login(self, form: Mapping[str, object], *, client_address: str | None = None) -> LoginResult:
        """Log in with a password; ``TooManyLoginAttempts`` (429) when the account or address is locked."""
        username = _required_text(form, "username")
        password = _required_text(form, "password")
        if self.throttle is not None:
            self.throttle.check(account=username, address=client_address)
        result = None
        with self.uow_factory() as uow:
            user = uow.users.by_email(username.strip())
            if (
                user is not None
                and password.strip()
                and user.password_hash is not None
                and self.hasher.verify(user.password_hash, password)
            ):
                result = self._open_session(uow, user)
                uow.commit()
        if result is None:
            if self.throttle is not None:
                self.throttle.failed(account=username, address=client_address)
            raise LoginRequired(INVALID_CREDENTIALS)
        if self.throttle is not None:
            self.throttle.succeeded(account=username)
        return result

    def logout(self, session_uid: str | None) -> None:
        if not session_uid:
            return
        self._sessions.pop(session_uid, None)
        with self.uow_factory() as uow:
            session = uow.sessions.get(session_uid)
            if session is not None:
                session.user_id = None
                uow.commit()

    def authenticate(self, session_uid: str | None) -> User:
        """The user logged in under this session id; extends the session (sliding expiry)."""
        if not session_uid:
            raise LoginRequired()
        now = self.clock.now()
        cached = self._sessions.get(session_uid)
        if cached is not None and cached[0] > time.monotonic() and cached[1].is_live(now):
            return _copy(cached[2])
        # Every request comes here: one read (session, user and rights in one statement,
        # outside a transaction), and a write only when the expiry is due to move.
        with self.uow_factory(read_only=True) as uow:
            found = uow.sessions.get_with_user(session_uid)
        if found is None:
            self._sessions.pop(session_uid, None)
            raise LoginRequired()
        session, user = found
        if user is None or session.user_id is None or not session.is_live(now):
            self._sessions.pop(session_uid, None)
            raise LoginRequired()
        if session.expires_at - now < SESSION_LIFETIME - _EXTEND_EVERY:
            with self.uow_factory() as uow:
                stored = uow.sessions.get(session_uid)
                if stored is None or stored.user_id != session.user_id:  # logged out meanwhile
                    raise LoginRequired()
                stored.expires_at = now + SESSION_LIFETIME
                uow.commit()
            session.expires_at = stored.expires_at
        if self.session_cache_seconds > 0:
            if len(self._sessions) >= _MAX_CACHED_SESSIONS:
                self._sessions.clear()
            self._sessions[session_uid] = (
                time.monotonic() + self.session_cache_seconds,
                session,
                _copy(user),
            )
        return user

    def session_is_live(self, session_uid: str | None) -> bool:
        """Whether the session is logged in; does not extend it (as the original's check)."""
        if not session_uid:
            return False
        with self.uow_factory() as uow:
            session = uow.sessions.get(session_uid)
            return session is not None and session.user_id is not None and session.is_live(self.clock.now())

    def user_view(self, user: User) -> UserView:
        with self.uow_factory() as uow:
            return self._view(uow, user)

    def add_user(
        self,
        email: str,
        name: str,
        password: str,
        *,
        website_admin: bool = False,
        affiliations: Sequence[Affiliation] = (),
        title: str | None = None,
    ) -> int:
        """Create a user, or update the one with that email (password, name, rights)."""
        if not email.strip() or "@" not in email:
            raise RequestInvalid("email: Not a valid email address.")
        if not password.strip():
            raise RequestInvalid("password: Must not be empty.")
        with self.uow_factory() as uow:
            for affiliation in affiliations:
                if not uow.agencies.exists(affiliation.agency_code):
                    raise RequestInvalid(f"affiliation: Unknown agency code {affiliation.agency_code}")
            user = uow.users.by_email(email.strip())
            if user is None:
                user = User(email=email.strip().lower(), name=name)
                uow.users.add(user)
            user.name = name
            user.title = title
            user.password_hash = self.hasher.hash(password)
            user.website_admin = website_admin
            user.affiliations = list(affiliations)
            uow.commit()
            self._sessions.clear()
            assert user.user_id is not None
            return user.user_id

    def max_login(
        self,
        form: Mapping[str, object],
        provider: IdentityProvider,
        *,
        parent_group: str,
        client_address: str | None = None,
    ) -> LoginResult:
        """Log in with a MAX ticket: the user is created on first login, and rights come from MAX.

        Name, website admin and affiliations are rebuilt from MAX's answer on every
        login, so a right removed in MAX is gone at the next login. Raises
        ``IdentityProviderUnavailable`` when MAX cannot be asked, and ``TooManyLoginAttempts``
        (429) when the client's address has failed too often (refused tickets count).
        """
        ticket = _required_text(form, "ticket").strip()
        service = normalise_service(_required_text(form, "service"))
        if self.throttle is not None:
            self.throttle.check(address=client_address)
        # No ticket to validate: spare MAX the call.
        identity = provider.validate(ticket, service) if ticket else None
        if identity is None:
            if self.throttle is not None:
                self.throttle.failed(address=client_address)
            raise LoginRequired(MAX_LOGIN_FAILED)
        email = _required_attribute(identity.email, "Email-Address")
        name = display_name(
            _required_attribute(identity.first_name, "First-Name"),
            identity.middle_name,
            _required_attribute(identity.last_name, "Last-Name"),
        )
        with self.uow_factory() as uow:
            rights = group_rights(identity.groups, parent_group, uow.agencies.exists)
            for skipped in rights.skipped:
                log.warning("MAX login of %s: group %r skipped (%s)", email, skipped.group, skipped.reason)
            user = uow.users.by_email(email)
            if user is None:
                # No password: this user can only log in through MAX.
                user = User(email=email.lower(), name=name)
                uow.users.add(user)
            user.name = name
            user.website_admin = rights.website_admin
            user.affiliations = list(rights.affiliations)
            result = self._open_session(uow, user)
            uow.commit()
        self._sessions.clear()  # rights rebuilt from MAX
        return result

    def set_skip_guide(self, user: User, form: Mapping[str, object]) -> bool:
        """Store whether the user skips the submission guide; ``skip_guide`` is a bool or "true"/"false"."""
        if "skip_guide" not in form:
            raise RequestInvalid(SKIP_GUIDE_MISSING)
        value = form["skip_guide"]
        if isinstance(value, bool):
            skip = value
        elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
            skip = value.strip().lower() == "true"
        else:
            raise RequestInvalid(SKIP_GUIDE_INVALID)
        assert user.user_id is not None
        with self.uow_factory() as uow:
            stored = uow.users.get(user.user_id)
            if stored is None:  # deleted since the session was checked
                raise LoginRequired()
            stored.skip_guide = skip
            uow.commit()
        self._sessions.clear()
        user.skip_guide = skip
        return skip

    def _open_session(self, uow: UnitOfWork, user: User) -> LoginResult:
        """A new logged-in session for ``user`` (as ``login`` opens one), inside the caller's transaction."""
        now = self.clock.now()
        # Always a fresh id at login: a session id known before login must not
        # become an authenticated one (session fixation).
        session = Session(uid=str(uuid.uuid4()), expires_at=now + SESSION_LIFETIME, user_id=user.user_id)
        uow.sessions.add(session)
        uow.sessions.delete_expired(now)
        return LoginResult(session_uid=session.uid, user=self._view(uow, user))

    @staticmethod
    def _view(uow: UnitOfWork, user: User) -> UserView:
        assert user.user_id is not None
        return UserView(
            user_id=user.user_id,
            name=user.name,
            title=user.title,
            skip_guide=user.skip_guide,
            website_admin=user.website_admin,
            affiliations=[
                AffiliationView(
                    agency_name=uow.agencies.name_of(a.agency_code) or a.agency_code,
                    permission=a.permission.label,
                )
                for a in user.affiliations
            ],
        )


def _copy(user: User) -> User:
    """A copy of a remembered user, so that a request changing its user cannot change the cache."""
    return attrs.evolve(user, affiliations=list(user.affiliations))


def parse_affiliation(text: str) -> Affiliation:
    """``CODE:PERMISSION`` as given on the command line, e.g. ``020:writer``."""
    code, sep, permission = text.partition(":")
    if not sep or not code.strip():
        raise RequestInvalid(f"affiliation: {text!r} is not CODE:PERMISSION")
    try:
        level = PermissionLevel.from_label(permission)
    except ValueError as exc:
        raise RequestInvalid(f"affiliation: {exc}") from None
    return Affiliation(agency_code=code.strip(), permission=level)


def _required_text(form: Mapping[str, object], field: str) -> str:
    value = form.get(field)
    if value is None:
        raise RequestInvalid(f"{field}: Missing data for required field.")
    if not isinstance(value, str):
        raise RequestInvalid(f"{field}: Not a valid string.")
    return value


def _required_attribute(value: str | None, attribute: str) -> str:
    if value is None or not value.strip():
        raise RequestInvalid(f"{attribute}: MAX did not send this attribute.")
    return value.strip()
