"""Tables of social insurance: pension certification and payments, medical insurance."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint

from .base import Base


class PensionCertification(Base):
    """The yearly eligibility check (领取资格认证) of a pensioner."""

    __tablename__ = "pension_certifications"

    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), primary_key=True)
    status = Column(String(10), nullable=False)  # due | done | overdue
    due_date = Column(Date, nullable=False)
    last_done_at = Column(Date, nullable=True)


class PensionCertificationRecord(Base):
    """One certification made through the API (done now, or a scheduled visit)."""

    __tablename__ = "pension_certification_records"

    record_id = Column(String(32), primary_key=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    method = Column(String(20), nullable=False)
    status = Column(String(10), nullable=False)  # done | scheduled
    next_due_date = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False)


class PensionPayment(Base):
    """One monthly pension payment."""

    __tablename__ = "pension_payments"
    __table_args__ = (UniqueConstraint("citizen_id", "month", name="uq_pension_payments_month"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    month = Column(String(7), nullable=False)  # 2026-10
    amount_fen = Column(Integer, nullable=False)
    paid_on = Column(Date, nullable=False)


class MedicalAccount(Base):
    """A citizen's medical insurance account (医保个人账户)."""

    __tablename__ = "medical_accounts"

    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), primary_key=True)
    balance_fen = Column(Integer, nullable=False)
    paid_until = Column(Date, nullable=False)
    status = Column(String(10), nullable=False)  # active | suspended


class MedicalClaim(Base):
    """A hospital bill and what the insurance reimbursed."""

    __tablename__ = "medical_claims"

    id = Column(Integer, primary_key=True, autoincrement=True)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    claim_date = Column(Date, nullable=False)
    hospital = Column(String(60), nullable=False)
    total_fen = Column(Integer, nullable=False)
    reimbursed_fen = Column(Integer, nullable=False)
