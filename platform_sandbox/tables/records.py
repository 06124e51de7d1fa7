"""Tables of a citizen's records: e-certificates, applications and complaints."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import Base


class Certificate(Base):
    """An e-certificate (电子证照) of a citizen; one per type."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("citizen_id", "type", name="uq_certificates_type"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    type = Column(String(24), nullable=False)
    name = Column(String(20), nullable=False)
    number = Column(String(24), nullable=False)
    status = Column(String(10), nullable=False)  # valid | expired
    issued_on = Column(Date, nullable=False)
    expires_on = Column(Date, nullable=True)


class CertificatePresentation(Base):
    """A one-time code that shows a certificate to a clerk or a bank (valid 5 minutes)."""

    __tablename__ = "certificate_presentations"

    presentation_code = Column(String(12), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False)
    type = Column(String(24), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class Application(Base):
    """An application (申请) for a service, with its timeline."""

    __tablename__ = "applications"

    application_number = Column(String(20), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    service_code = Column(String(32), nullable=False)
    status = Column(String(12), nullable=False)
    commitment = Column(Boolean, nullable=False)
    form = Column(Text, nullable=False)
    """The submitted form as JSON."""
    proxy_authorization_id = Column(String(32), nullable=True)
    created_at = Column(DateTime, nullable=False)

    events = relationship(
        "ApplicationEvent",
        order_by="ApplicationEvent.position",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class ApplicationEvent(Base):
    """One step of an application's timeline."""

    __tablename__ = "application_events"

    application_number = Column(
        String(20), ForeignKey("applications.application_number"), primary_key=True
    )
    position = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)
    status = Column(String(12), nullable=False)
    note = Column(String(200), nullable=False)


class Complaint(Base):
    """A complaint or suggestion (12345 工单)."""

    __tablename__ = "complaints"

    ticket_number = Column(String(20), primary_key=True)
    category = Column(String(12), nullable=False)
    content = Column(Text, nullable=False)
    location = Column(String(120), nullable=True)
    contact_phone = Column(String(11), nullable=True)
    citizen_id = Column(String(10), nullable=True)
    created_at = Column(DateTime, nullable=False)
