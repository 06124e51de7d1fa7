"""Every client method against a running sandbox: typed results and typed errors
(``platform_client/client.py``, ``results.py``, ``errors.py``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from platform_client import CitizenAuth, PlatformClient
from platform_client import errors as e
from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_GRANDPARENT,
    DEMO_STUDENT_ID,
    DEMO_UNDER_80,
    DEMO_UTILITIES,
    DEMO_UTILITY_BILLS,
    DemoCitizen,
)
from tests import days
from tests.platform_client.kit import platform_client, sms_code
from tests.platform_sandbox.sandbox_testkit import RunningSandbox

# Dated demo records, for the day the sandbox works on.
DEMO_ALLOWANCE_APPLICATION = days.allowance_application()
DEMO_FULL_SLOT = days.slots().full
DEMO_OPEN_SLOT = days.slots().open


pytestmark = pytest.mark.integration


async def _card(client: PlatformClient, citizen: DemoCitizen) -> CitizenAuth:
    session = await client.read_card(id_number=citizen.id_number, name=citizen.name)
    return CitizenAuth(citizen_token=session.citizen_token)


async def test_sms_verification(sandbox: RunningSandbox) -> None:
    citizen = DEMO_ALLOWANCE_ELIGIBLE
    async with platform_client(sandbox.base_url) as client:
        started = await client.start_verification(name=citizen.name, id_number=citizen.id_number)
        assert started.channel == "sms" and started.masked_phone.endswith(citizen.phone[-4:])
        with pytest.raises(e.CodeInvalid) as wrong:
            await client.confirm_verification(started.verification_id, code="000000")
        assert wrong.value.remaining_tries == 4
        session = await client.confirm_verification(
            started.verification_id, code=sms_code(sandbox, citizen.phone)
        )
        assert session.citizen.citizen_id == citizen.citizen_id
        assert session.citizen.id_number_full == citizen.id_number
        assert session.citizen.age >= 86
        with pytest.raises(e.SmsTooFrequent):
            await client.start_verification(phone=citizen.phone, id_last6=citizen.id_last6)
        with pytest.raises(e.CitizenNotFound):
            await client.start_verification(name="无此人", id_number=citizen.id_number)


async def test_catalog_places_and_appointments(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        services = await client.services(q="敬老")
        assert [s.code for s in services] == ["senior_card"] and services[0].accepts_commitment
        points = await client.agency_points(district="姑苏区")
        assert [p.kind for p in points] == ["hall", "community_point", "community_point"]
        open_day = days.day_of(DEMO_OPEN_SLOT).isoformat()
        slots = await client.slots(service_code="senior_card", point_id="AP01", date=open_day)
        assert slots[0].slot_id == DEMO_OPEN_SLOT and slots[0].remaining == 6
        citizen = await _card(client, DEMO_ALLOWANCE_ELIGIBLE)
        booked = await client.book_appointment(
            citizen=citizen, slot_id=DEMO_OPEN_SLOT, service_code="senior_card"
        )
        assert booked.point_name == "姑苏区政务服务中心" and booked.start.startswith(open_day)
        await client.cancel_appointment(booked.appointment_id, citizen=citizen)
        await client.cancel_appointment(booked.appointment_id, citizen=citizen)  # idempotent
        with pytest.raises(e.SlotFull):
            await client.book_appointment(
                citizen=citizen, slot_id=DEMO_FULL_SLOT, service_code="senior_card"
            )
        with pytest.raises(e.InvalidDistrict):
            await client.agency_points(district="海淀区")


async def test_education_bills_and_payments(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        bills = await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert [(b.bill_id, b.total) for b in bills] == [("EB202600001", Decimal("2550.0"))]
        grandparent = await _card(client, DEMO_GRANDPARENT)
        assert await client.education_bills(citizen=grandparent) == bills
        payment = await client.create_payment(bill_id="EB202600001", idempotency_key="k-1")
        assert payment.amount == Decimal("2550.0") and payment.status == "pending"
        assert (await client.payment(payment.payment_id)).status == "pending"
        with pytest.raises(e.BillAlreadyPaid):
            await client.create_payment(bill_id="EB202600001")
        with pytest.raises(e.BillNotFound):
            await client.create_payment(bill_id="EB209999999")
        with pytest.raises(e.PaymentNotFound):
            await client.payment("pay_nope")
        with pytest.raises(e.InvalidStudentId):
            await client.education_bills(student_id="123")


async def test_pension_medical_and_utilities(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        citizen = await _card(client, DEMO_ALLOWANCE_ELIGIBLE)
        state = await client.pension_certification(citizen=citizen)
        assert state.status == "due" and "video" in state.methods
        record = await client.certify_pension(citizen=citizen, method="video")
        assert record.status == "done"
        with pytest.raises(e.CertificationAlreadyDone):
            await client.certify_pension(citizen=citizen, method="video")
        payments = await client.pension_payments(citizen=citizen, months=3)
        assert [p.month for p in payments] == days.months_before(days.today(), 3)
        account = await client.medical_account(citizen=citizen)
        assert account.status == "active" and account.balance >= 0
        holder = await _card(client, DEMO_UTILITIES)
        bills = await client.utility_bills(citizen=holder, utility_type="water")
        assert [b.period for b in bills] == days.months_before(days.today(), 3)
        unpaid = [
            b.bill_id for b in await client.utility_bills(citizen=holder) if b.status == "unpaid"
        ]
        assert sorted(unpaid) == list(DEMO_UTILITY_BILLS)
        paid = await client.create_payment(
            bill_id=DEMO_UTILITY_BILLS[0], citizen=holder, payer="self"
        )
        assert paid.amount == Decimal("122.83")
        with pytest.raises(e.CitizenTokenRequired):
            await client.medical_account(citizen=CitizenAuth())


async def test_applications_certificates_complaints(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        young = await _card(client, DEMO_UNDER_80)
        with pytest.raises(e.NotEligible) as refused:
            await client.submit_application(
                citizen=young, service_code="elderly_allowance", commitment=True
            )
        assert refused.value.reason == "age_under_80"
        with pytest.raises(e.MaterialsRequired) as missing:
            await client.submit_application(citizen=young, service_code="senior_card")
        assert missing.value.missing == ("居民身份证", "近期免冠照片")
        created = await client.submit_application(
            citizen=young, service_code="senior_card", commitment=True
        )
        assert created.status == "submitted" and created.next_steps
        tracked = await client.application(created.application_number)
        assert tracked.status == "submitted" and tracked.timeline[0].status == "submitted"
        assert [a.application_number for a in await client.applications(citizen=young)] == [
            created.application_number
        ]
        seeded = await client.application(DEMO_ALLOWANCE_APPLICATION)
        assert seeded.status == "reviewing"
        certificates = await client.certificates(citizen=young)
        licence = next(c for c in certificates if c.type == "driving_license")
        assert licence.status == "expired" and licence.expires_on
        shown = await client.present_certificate(citizen=young, certificate_type="id_card")
        assert len(shown.presentation_code) == 8
        with pytest.raises(e.CertificateExpired):
            await client.present_certificate(citizen=young, certificate_type="driving_license")
        ticket = await client.file_complaint(category="suggestion", content="希望多开几个窗口")
        assert ticket.startswith("GD")


async def test_proxy_authorization(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        citizen = await _card(client, DEMO_ALLOWANCE_ELIGIBLE)
        granted = await client.authorize_proxy(
            citizen=citizen,
            agent_kind="family",
            agent_id="13700001111",
            scopes=["pension_query"],
            expires_in_days=7,
        )
        son = CitizenAuth(proxy_authorization_id=granted.authorization_id)
        assert len(await client.pension_payments(citizen=son)) == 6
        with pytest.raises(e.ProxyScopeDenied):
            await client.medical_account(citizen=son)
        await client.revoke_proxy(granted.authorization_id, citizen=citizen)
        with pytest.raises(e.ProxyAuthorizationInvalid):
            await client.pension_payments(citizen=son)
