"""Use cases of users and sessions: password login, logout, session lookup, user views."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

import attrs

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.ports import Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from broker_core.users import SESSION_LIFETIME, Affiliation, PermissionLevel, Session, User

INVALID_CREDENTIALS = "Invalid username and/or password"

#: A live session's expiry is pushed forward at most this often, so that a
#: burst of requests does not turn every read into a database write.
_EXTEND_EVERY = dt.timedelta(minutes=1)


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

    def login(self, form: Mapping[str, object]) -> LoginResult:
        username = _required_text(form, "username")
        password = _required_text(form, "password")
        with self.uow_factory() as uow:
            user = uow.users.by_email(username.strip())
            if (
                user is None
                or not password.strip()
                or user.password_hash is None
                or not self.hasher.verify(user.password_hash, password)
            ):
                raise LoginRequired(INVALID_CREDENTIALS)
            now = self.clock.now()
            # Always a fresh id at login: a session id known before login must not
            # become an authenticated one (session fixation).
            session = Session(uid=str(uuid.uuid4()), expires_at=now + SESSION_LIFETIME, user_id=user.user_id)
            uow.sessions.add(session)
            uow.sessions.delete_expired(now)
            view = self._view(uow, user)
            uow.commit()
        return LoginResult(session_uid=session.uid, user=view)

    def logout(self, session_uid: str | None) -> None:
        if not session_uid:
            return
        with self.uow_factory() as uow:
            session = uow.sessions.get(session_uid)
            if session is not None:
                session.user_id = None
                uow.commit()

    def authenticate(self, session_uid: str | None) -> User:
        """The user logged in under this session id; extends the session (sliding expiry)."""
        if not session_uid:
            raise LoginRequired()
        with self.uow_factory() as uow:
            now = self.clock.now()
            session = uow.sessions.get(session_uid)
            if session is None or session.user_id is None or not session.is_live(now):
                raise LoginRequired()
            user = uow.users.get(session.user_id)
            if user is None:
                raise LoginRequired()
            if session.expires_at - now < SESSION_LIFETIME - _EXTEND_EVERY:
                session.expires_at = now + SESSION_LIFETIME
                uow.commit()
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
            assert user.user_id is not None
            return user.user_id

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
