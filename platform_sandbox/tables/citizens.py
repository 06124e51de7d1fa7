"""Tables of identity: citizens, their family, SMS verifications, tokens and proxies."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Text

from .base import Base


class Citizen(Base):
    """A resident of the city known to the platform (the synthetic citizens are 55–99)."""

    __tablename__ = "citizens"

    citizen_id = Column(String(10), primary_key=True)
    name = Column(String(20), nullable=False)
    gender = Column(String(1), nullable=False)  # M | F
    birth_date = Column(Date, nullable=False)
    id_number = Column(String(18), nullable=False, unique=True)
    phone = Column(String(11), nullable=False, unique=True)
    district = Column(String(20), nullable=False)
    address = Column(String(120), nullable=False)
    bank_account = Column(String(19), nullable=False)
    """Account the pension is paid into (19 digits)."""
    pensioner = Column(Boolean, nullable=False)


class FamilyLink(Base):
    """A relative of a citizen: a spouse (also a citizen), a child, or a grandchild (a pupil)."""

    __tablename__ = "family_links"

    id = Column(Integer, primary_key=True, autoincrement=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    relation = Column(String(12), nullable=False)  # spouse | child | grandchild
    name = Column(String(20), nullable=False)
    phone = Column(String(11), nullable=True)
    relative_citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=True)
    student_id = Column(String(10), ForeignKey("students.student_id"), nullable=True, index=True)


class Verification(Base):
    """An SMS identity check: a 6-digit code sent to the citizen's phone."""

    __tablename__ = "verifications"

    verification_id = Column(String(32), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False)
    phone = Column(String(11), nullable=False, index=True)
    code = Column(String(6), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    failed_attempts = Column(Integer, nullable=False, default=0)
    status = Column(String(10), nullable=False)  # pending | confirmed | locked
    purpose = Column(String(20), nullable=True)
    """``proxy_binding`` when the code lets a relative act for the citizen (the SMS says so)."""


class CitizenToken(Base):
    """A citizen token handed out by a confirmed verification or a card read.

    Only the SHA-256 of the token is stored.
    """

    __tablename__ = "citizen_tokens"

    token_hash = Column(String(64), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False)
    source = Column(String(10), nullable=False)  # sms | card
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class ProxyAuthorization(Base):
    """A citizen's authorization for a family member or staff to act for them (代办授权)."""

    __tablename__ = "proxy_authorizations"
    __table_args__ = (
        Index("ix_proxy_authorizations_agent", "client_id", "agent_kind", "agent_id"),
    )

    authorization_id = Column(String(32), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    agent_kind = Column(String(10), nullable=False)  # family | staff
    agent_id = Column(String(64), nullable=False)
    scopes = Column(Text, nullable=False)
    """Service codes the agent may use, comma-separated."""
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)
    client_id = Column(String(64), nullable=True)
    """The calling system that recorded it: the only one that lists it by agent."""

    def scope_list(self) -> list[str]:
        """The service codes of :attr:`scopes`."""
        return [code for code in str(self.scopes).split(",") if code]


class ProxyCall(Base):
    """A call made with ``X-Proxy-Authorization``, recorded with both identities."""

    __tablename__ = "proxy_calls"

    id = Column(Integer, primary_key=True, autoincrement=True)
    authorization_id = Column(
        String(32), ForeignKey("proxy_authorizations.authorization_id"), nullable=False, index=True
    )
    citizen_id = Column(String(10), nullable=False)
    agent_kind = Column(String(10), nullable=False)
    agent_id = Column(String(64), nullable=False)
    client_id = Column(String(16), nullable=False)
    service_code = Column(String(32), nullable=False)
    method = Column(String(8), nullable=False)
    path = Column(String(200), nullable=False)
    at = Column(DateTime, nullable=False)
