"""Staff accounts and console sessions in the gateway's database.

A session token is given to the browser once (cookie and bearer token) and stored only as its
SHA-256, so a copy of the database opens no session. Presence ("on duty") is the session's
``last_seen_at``, kept fresh by the console's live feed and by every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from handoff.clock import Clock, as_utc, utc_now
from handoff.models import Role, Session, Staff
from handoff.tables import staff, staff_sessions


class StaffExists(ValueError):
    """A staff account with this user name exists already."""


def token_hash(token: str) -> str:
    """What is stored for a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _staff(row: Any) -> Staff:
    return Staff(row.id, row.username, row.display_name, Role(row.role), row.district, row.active)


class StaffStore:
    """Reads and writes staff accounts and their sessions."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.clock = clock

    # ----------------------------------------------------------------- accounts
    async def add(
        self,
        *,
        username: str,
        display_name: str,
        role: Role,
        district: str,
        password_hash: str,
    ) -> Staff:
        """Create an account; :class:`StaffExists` if the user name is taken."""
        try:
            async with self._engine.begin() as connection:
                result = await connection.execute(
                    insert(staff).values(
                        username=username,
                        display_name=display_name,
                        role=role.value,
                        district=district,
                        password_hash=password_hash,
                        active=True,
                        created_at=self.clock(),
                    )
                )
        except IntegrityError as error:
            raise StaffExists(username) from error
        return Staff(
            int(result.inserted_primary_key[0]), username, display_name, role, district, True
        )

    async def credentials(self, username: str) -> tuple[Staff, str] | None:
        """The active account and its password hash, for the login check."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(staff).where(staff.c.username == username, staff.c.active.is_(True))
                )
            ).first()
        return (_staff(row), row.password_hash) if row else None

    async def get(self, staff_id: int) -> Staff | None:
        """One account by id."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(staff).where(staff.c.id == staff_id))).first()
        return _staff(row) if row else None

    async def by_username(self, username: str) -> Staff | None:
        """One account by user name."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(staff).where(staff.c.username == username))
            ).first()
        return _staff(row) if row else None

    async def accounts(self, *, district: str | None = None) -> list[Staff]:
        """Active accounts, optionally of one district (supervisors of every district too)."""
        query = select(staff).where(staff.c.active.is_(True)).order_by(staff.c.username)
        if district is not None:
            query = query.where(
                or_(staff.c.district == district, staff.c.role == Role.SUPERVISOR.value)
            )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_staff(row) for row in rows]

    async def set_password(self, username: str, password_hash: str) -> bool:
        """Replace a password and end that person's sessions; False if no such account."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(staff)
                .where(staff.c.username == username)
                .values(password_hash=password_hash)
            )
            if result.rowcount:
                await self._end_sessions_of(connection, username)
        return bool(result.rowcount)

    async def set_active(self, username: str, active: bool) -> bool:
        """Enable or disable an account (disabling ends its sessions)."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(staff).where(staff.c.username == username).values(active=active)
            )
            if result.rowcount and not active:
                await self._end_sessions_of(connection, username)
        return bool(result.rowcount)

    async def _end_sessions_of(self, connection: Any, username: str) -> None:
        ids = select(staff.c.id).where(staff.c.username == username).scalar_subquery()
        await connection.execute(
            update(staff_sessions)
            .where(staff_sessions.c.staff_id == ids, staff_sessions.c.ended_at.is_(None))
            .values(ended_at=self.clock())
        )

    # ----------------------------------------------------------------- sessions
    async def open_session(self, member: Staff, *, hours: float) -> tuple[str, Session]:
        """A new session: returns the token (shown once) and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = self.clock()
        expires = now + timedelta(hours=hours)
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(staff_sessions).values(
                    token_hash=token_hash(token),
                    staff_id=member.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                    last_seen_at=now,
                )
            )
        return token, Session(member, token_hash(token), csrf, expires)

    async def session(self, token: str) -> Session | None:
        """The live session for ``token`` (not ended, not expired, account active)."""
        hashed = token_hash(token)
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(staff, staff_sessions.c.csrf_token, staff_sessions.c.expires_at)
                    .join(staff_sessions, staff_sessions.c.staff_id == staff.c.id)
                    .where(
                        staff_sessions.c.token_hash == hashed,
                        staff_sessions.c.ended_at.is_(None),
                        staff.c.active.is_(True),
                    )
                )
            ).first()
        if row is None:
            return None
        expires = as_utc(row.expires_at)
        if expires is None or expires <= self.clock():
            return None
        return Session(_staff(row), hashed, row.csrf_token, expires)

    async def alive(self, session: Session) -> bool:
        """Whether the session is still open (not logged out, not expired, account active)."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(staff_sessions.c.expires_at)
                    .join(staff, staff.c.id == staff_sessions.c.staff_id)
                    .where(
                        staff_sessions.c.token_hash == session.token_hash,
                        staff_sessions.c.ended_at.is_(None),
                        staff.c.active.is_(True),
                    )
                )
            ).first()
        expires = as_utc(row.expires_at) if row else None
        return expires is not None and expires > self.clock()

    async def touch(self, session: Session) -> None:
        """Mark the session as seen now (presence)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_hash == session.token_hash)
                .values(last_seen_at=self.clock())
            )

    async def end_session(self, session: Session) -> None:
        """Log out."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_hash == session.token_hash)
                .values(ended_at=self.clock())
            )

    async def present(self, *, since: datetime, district: str | None = None) -> list[int]:
        """Ids of staff (role staff) seen since ``since`` who serve ``district``.

        For a handoff without a district (``None``): all of them, since a supervisor routes it
        to one of their districts.
        """
        query = (
            select(func.distinct(staff.c.id))
            .join(staff_sessions, staff_sessions.c.staff_id == staff.c.id)
            .where(
                staff_sessions.c.ended_at.is_(None),
                staff_sessions.c.last_seen_at >= since,
                staff_sessions.c.expires_at > self.clock(),
                staff.c.active.is_(True),
                staff.c.role == Role.STAFF.value,
            )
        )
        if district:
            query = query.where(and_(staff.c.district == district))
        async with self._engine.connect() as connection:
            return [int(v) for v in (await connection.execute(query)).scalars().all()]
