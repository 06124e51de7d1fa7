"""Contract v1 schema: every table of the sandbox (first migration).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27

Milestone 1 created its five tables with ``create_all``; such a database is rebuilt by
``platform_sandbox.migrate`` before this migration runs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "agency_points",
        sa.Column("point_id", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("opening_hours", sa.String(length=60), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_agency_points")),
    )
    with op.batch_alter_table("agency_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_points_district"), ["district"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("bank_account", sa.String(length=19), nullable=False),
        sa.Column("pensioner", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("id_number", name=op.f("uq_citizens_id_number")),
        sa.UniqueConstraint("phone", name=op.f("uq_citizens_phone")),
    )
    op.create_table(
        "complaints",
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=True),
        sa.Column("contact_phone", sa.String(length=11), nullable=True),
        sa.Column("citizen_id", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_number", name=op.f("pk_complaints")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),
    )
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("bill_kind", sa.String(length=10), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("notify_phone", sa.String(length=11), nullable=True),
        sa.Column("citizen_id", sa.String(length=10), nullable=True),
        sa.Column("proxy_authorization_id", sa.String(length=32), nullable=True),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("pay_code", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("receipt_no", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
        sa.UniqueConstraint("pay_code", name=op.f("uq_payments_pay_code")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_payments_receipt_no")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            "uq_payments_active_bill",
            ["bill_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'paid')"),
            postgresql_where=sa.text("status IN ('pending', 'paid')"),
        )

    op.create_table(
        "students",
        sa.Column("student_id", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("school", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("student_id", name=op.f("pk_students")),
    )
    op.create_table(
        "applications",
        sa.Column("application_number", sa.String(length=20), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("commitment", sa.Boolean(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("proxy_authorization_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_applications_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("application_number", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "appointment_slots",
        sa.Column("slot_id", sa.String(length=24), nullable=False),
        sa.Column("point_id", sa.String(length=10), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["agency_points.point_id"],
            name=op.f("fk_appointment_slots_point_id_agency_points"),
        ),
        sa.PrimaryKeyConstraint("slot_id", name=op.f("pk_appointment_slots")),
    )
    with op.batch_alter_table("appointment_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_slots_point_id"), ["point_id"], unique=False
        )

    op.create_table(
        "bills",
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("student_id", sa.String(length=10), nullable=False),
        sa.Column("school", sa.String(length=60), nullable=False),
        sa.Column("term", sa.String(length=30), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.student_id"], name=op.f("fk_bills_student_id_students")
        ),
        sa.PrimaryKeyConstraint("bill_id", name=op.f("pk_bills")),
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bills_student_id"), ["student_id"], unique=False)

    op.create_table(
        "certificate_presentations",
        sa.Column("presentation_code", sa.String(length=12), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_certificate_presentations_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("presentation_code", name=op.f("pk_certificate_presentations")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_certificates_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("citizen_id", "type", name="uq_certificates_type"),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "citizen_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_citizen_tokens_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_citizen_tokens")),
    )
    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("relative_citizen_id", sa.String(length=10), nullable=True),
        sa.Column("student_id", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_family_links_citizen_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["relative_citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_family_links_relative_citizen_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.student_id"],
            name=op.f("fk_family_links_student_id_students"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
    )
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_family_links_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_family_links_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "medical_accounts",
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("balance_fen", sa.Integer(), nullable=False),
        sa.Column("paid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_medical_accounts_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_medical_accounts")),
    )
    op.create_table(
        "medical_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("claim_date", sa.Date(), nullable=False),
        sa.Column("hospital", sa.String(length=60), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("reimbursed_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_medical_claims_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_claims")),
    )
    with op.batch_alter_table("medical_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_medical_claims_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "pension_certification_records",
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("next_due_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_pension_certification_records_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_pension_certification_records")),
    )
    with op.batch_alter_table("pension_certification_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pension_certification_records_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "pension_certifications",
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("last_done_at", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_pension_certifications_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_pension_certifications")),
    )
    op.create_table(
        "pension_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_pension_payments_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_payments")),
        sa.UniqueConstraint("citizen_id", "month", name="uq_pension_payments_month"),
    )
    with op.batch_alter_table("pension_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pension_payments_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "proxy_authorizations",
        sa.Column("authorization_id", sa.String(length=32), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("agent_kind", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_proxy_authorizations_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("authorization_id", name=op.f("pk_proxy_authorizations")),
    )
    with op.batch_alter_table("proxy_authorizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proxy_authorizations_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "utility_accounts",
        sa.Column("account_number", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_utility_accounts_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("account_number", name=op.f("pk_utility_accounts")),
    )
    with op.batch_alter_table("utility_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_utility_accounts_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "verifications",
        sa.Column("verification_id", sa.String(length=32), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_verifications_citizen_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("verification_id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verifications_phone"), ["phone"], unique=False)

    op.create_table(
        "application_events",
        sa.Column("application_number", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_number"],
            ["applications.application_number"],
            name=op.f("fk_application_events_application_number_applications"),
        ),
        sa.PrimaryKeyConstraint(
            "application_number", "position", name=op.f("pk_application_events")
        ),
    )
    op.create_table(
        "appointments",
        sa.Column("appointment_id", sa.String(length=32), nullable=False),
        sa.Column("slot_id", sa.String(length=24), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("home_visit", sa.Boolean(), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=True),
        sa.Column("confirmation_code", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proxy_authorization_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.citizen_id"],
            name=op.f("fk_appointments_citizen_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["appointment_slots.slot_id"],
            name=op.f("fk_appointments_slot_id_appointment_slots"),
        ),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "bill_items",
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.bill_id"], name=op.f("fk_bill_items_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("bill_id", "position", name=op.f("pk_bill_items")),
    )
    op.create_table(
        "proxy_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authorization_id", sa.String(length=32), nullable=False),
        sa.Column("citizen_id", sa.String(length=10), nullable=False),
        sa.Column("agent_kind", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=16), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["proxy_authorizations.authorization_id"],
            name=op.f("fk_proxy_calls_authorization_id_proxy_authorizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_calls")),
    )
    with op.batch_alter_table("proxy_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proxy_calls_authorization_id"), ["authorization_id"], unique=False
        )

    op.create_table(
        "utility_bills",
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("account_number", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["utility_accounts.account_number"],
            name=op.f("fk_utility_bills_account_number_utility_accounts"),
        ),
        sa.PrimaryKeyConstraint("bill_id", name=op.f("pk_utility_bills")),
    )
    with op.batch_alter_table("utility_bills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_utility_bills_account_number"), ["account_number"], unique=False
        )


def downgrade() -> None:
    """Undo this migration."""
    with op.batch_alter_table("utility_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_utility_bills_account_number"))

    op.drop_table("utility_bills")
    with op.batch_alter_table("proxy_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_calls_authorization_id"))

    op.drop_table("proxy_calls")
    op.drop_table("bill_items")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_citizen_id"))

    op.drop_table("appointments")
    op.drop_table("application_events")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_phone"))

    op.drop_table("verifications")
    with op.batch_alter_table("utility_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_utility_accounts_citizen_id"))

    op.drop_table("utility_accounts")
    with op.batch_alter_table("proxy_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_authorizations_citizen_id"))

    op.drop_table("proxy_authorizations")
    with op.batch_alter_table("pension_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_payments_citizen_id"))

    op.drop_table("pension_payments")
    op.drop_table("pension_certifications")
    with op.batch_alter_table("pension_certification_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_certification_records_citizen_id"))

    op.drop_table("pension_certification_records")
    with op.batch_alter_table("medical_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medical_claims_citizen_id"))

    op.drop_table("medical_claims")
    op.drop_table("medical_accounts")
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_links_student_id"))
        batch_op.drop_index(batch_op.f("ix_family_links_citizen_id"))

    op.drop_table("family_links")
    op.drop_table("citizen_tokens")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_citizen_id"))

    op.drop_table("certificates")
    op.drop_table("certificate_presentations")
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bills_student_id"))

    op.drop_table("bills")
    with op.batch_alter_table("appointment_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_slots_point_id"))

    op.drop_table("appointment_slots")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_citizen_id"))

    op.drop_table("applications")
    op.drop_table("students")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payments_active_bill",
            sqlite_where=sa.text("status IN ('pending', 'paid')"),
            postgresql_where=sa.text("status IN ('pending', 'paid')"),
        )

    op.drop_table("payments")
    op.drop_table("idempotency_records")
    op.drop_table("complaints")
    op.drop_table("citizens")
    with op.batch_alter_table("agency_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_points_district"))

    op.drop_table("agency_points")
