"""Demo accounts: only when the demo setting is on (embedded profile), never by default.

``demo-staff`` (staff, district 姑苏区) and ``demo-supervisor`` share the configured demo
password; outside the demo there are no accounts until ``banshi staff add`` creates them.
"""

from __future__ import annotations

import logging

from handoff.models import Role
from handoff.passwords import hash_password
from handoff.staff_store import StaffExists, StaffStore

logger = logging.getLogger(__name__)

DEMO_DISTRICT = "姑苏区"
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str], ...] = (
    ("demo-staff", "小王", Role.STAFF, DEMO_DISTRICT),
    ("demo-supervisor", "李主管", Role.SUPERVISOR, DEMO_DISTRICT),
)


async def ensure_demo_accounts(store: StaffStore, password: str) -> None:
    """Create the demo accounts if they are missing."""
    if not password:
        raise ValueError("demo accounts need a demo password (BANSHI_DEMO_PASSWORD)")
    for username, display_name, role, district in DEMO_ACCOUNTS:
        if await store.by_username(username) is not None:
            continue
        try:
            await store.add(
                username=username,
                display_name=display_name,
                role=role,
                district=district,
                password_hash=await hash_password(password),
            )
            logger.info("handoff.demo.account_created username=%s", username)
        except StaffExists:
            continue
