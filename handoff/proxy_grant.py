"""The platform side of a proxy case, over the one platform client
(:class:`platform_client.PlatformClient`, shared/PLATFORM_API.md): identify the citizen from
their ID card (``POST /v1/identity/card-reads``), then, as the citizen, authorize the staff
member (``POST /v1/proxy-authorizations``). The citizen token lives only inside
:func:`authorize_staff`. Both calls carry Idempotency-Keys derived from the case
(:func:`idempotency_key`), so that trying again for the same case does the work once on the
platform. :func:`staff_error` turns the client's typed errors into what staff see.
"""

from __future__ import annotations

import hashlib

from conversation.errors import ApiError
from platform_client import CitizenAuth, PlatformClient, PlatformError
from platform_client.errors import (
    CardUnreadable,
    CitizenNotFound,
    InvalidIdNumber,
    InvalidName,
    InvalidScopes,
    PlatformUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from platform_client.results import CitizenSession, ProxyAuthorization

_STAFF_ERRORS: tuple[tuple[type[PlatformError], int, str], ...] = (
    (CitizenNotFound, 422, "平台上没有找到这位市民，请核对姓名和身份证号。"),
    (CardUnreadable, 422, "身份证信息不对，请核对姓名和身份证号。"),
    (InvalidIdNumber, 422, "身份证号不对，请核对。"),
    (InvalidName, 422, "姓名不对，请核对。"),
    (InvalidScopes, 422, "这个事项不能代办，须本人办理。"),
    (RateLimited, 503, "办事平台现在太忙，请稍后再试。"),
    (PlatformUnavailable, 503, "办事平台暂时连不上，请稍后再试。"),
    (UnexpectedResponse, 502, "办事平台的答复有问题，请稍后再试，仍不行请联系运维。"),
)
"""What staff see for a platform error, by type (the first that matches): status, Chinese."""


def staff_error(error: PlatformError) -> ApiError:
    """A platform error as staff see it: Chinese, with the error's code (``CircuitOpen`` is
    ``platform_unavailable``); a refusal without its own entry shows the platform's message."""
    for kind, status, message in _STAFF_ERRORS:
        if isinstance(error, kind):
            return ApiError(status, error.code, message)
    return ApiError(502, error.code, error.message or "办事平台没有办成。")


def idempotency_key(case_id: str, *parts: str) -> str:
    """The Idempotency-Key of one platform call of a proxy case: the same case and ``parts``
    give the same key, so trying again is done once on the platform."""
    return hashlib.sha256(":".join(("banshi-proxy", case_id, *parts)).encode()).hexdigest()


async def authorize_staff(
    platform: PlatformClient,
    *,
    case_id: str,
    staff_id: str,
    scopes: list[str],
    days: int,
    name: str,
    id_number: str,
) -> tuple[CitizenSession, ProxyAuthorization]:
    """Identify the citizen from the ID card, then, as the citizen, authorize ``staff_id`` for
    ``scopes`` for ``days`` days. The same request for the same case is done once on the
    platform (the keys come from :func:`idempotency_key`)."""
    session = await platform.read_card(
        id_number=id_number,
        name=name,
        idempotency_key=idempotency_key(case_id, "card", id_number, name),
    )
    granted = await platform.authorize_proxy(
        citizen=CitizenAuth(citizen_token=session.citizen_token),
        agent_kind="staff",
        agent_id=staff_id,
        scopes=scopes,
        expires_in_days=days,
        idempotency_key=idempotency_key(case_id, "grant", staff_id, *scopes),
    )
    return session, granted
