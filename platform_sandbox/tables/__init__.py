"""Database tables of the sandbox (SQLAlchemy 1.4 declarative, used in 2.0 style).

The package is `tables`, not `models`: the repository ignores every `models/` folder (Rasa
models).

Money is stored as integer fen (分); responses convert to yuan at the boundary.
Timestamps are stored as naive UTC ``DateTime`` values. The schema itself is created by the
alembic migrations in :mod:`platform_sandbox.migrations`; these classes must match them.
"""

from .appointments import AgencyPoint, Appointment, AppointmentSlot
from .base import Base
from .benefits import (
    MedicalAccount,
    MedicalClaim,
    PensionCertification,
    PensionCertificationRecord,
    PensionPayment,
)
from .citizens import (
    Citizen,
    CitizenToken,
    FamilyLink,
    ProxyAuthorization,
    ProxyCall,
    Verification,
)
from .dataset_info import DatasetInfo
from .education import Bill, BillItem, Student
from .payments import ACTIVE_PAYMENT_STATUSES, IdempotencyRecord, Payment
from .records import (
    Application,
    ApplicationEvent,
    Certificate,
    CertificatePresentation,
    Complaint,
)
from .utilities import UtilityAccount, UtilityBill

__all__ = [
    "ACTIVE_PAYMENT_STATUSES",
    "AgencyPoint",
    "Application",
    "ApplicationEvent",
    "Appointment",
    "AppointmentSlot",
    "Base",
    "Bill",
    "BillItem",
    "Certificate",
    "CertificatePresentation",
    "Citizen",
    "CitizenToken",
    "Complaint",
    "DatasetInfo",
    "FamilyLink",
    "IdempotencyRecord",
    "MedicalAccount",
    "MedicalClaim",
    "Payment",
    "PensionCertification",
    "PensionCertificationRecord",
    "PensionPayment",
    "ProxyAuthorization",
    "ProxyCall",
    "Student",
    "UtilityAccount",
    "UtilityBill",
    "Verification",
]
