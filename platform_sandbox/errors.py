"""Contract errors: a typed exception and the catalog of codes the sandbox answers with.

Every error leaves the app as ``{"error": {"code": "snake_case", "message": "中文说明"}}``
(see :mod:`platform_sandbox.error_handlers`). The codes are part of the platform contract;
operators grep them, the messages are read by people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorSpec:
    """One error of the contract: HTTP status, stable code and a Chinese message."""

    status: int
    code: str
    message: str


class ApiError(Exception):
    """Raised by routes and services; turned into the contract's error response."""

    def __init__(
        self,
        spec: ErrorSpec,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(spec.code)
        self.spec = spec
        self.message = message or spec.message
        self.headers = headers
        self.extra = extra
        """More fields of the error object (``reason`` of ``not_eligible`` …)."""

    def body(self) -> dict[str, Any]:
        """The response body ``{"error": {"code", "message", ...extra}}``."""
        return {"error": {"code": self.code, "message": self.message, **self.extra}}

    @property
    def status(self) -> int:
        """HTTP status of the response."""
        return self.spec.status

    @property
    def code(self) -> str:
        """The contract's error code."""
        return self.spec.code


# Generic errors (any route).
UNAUTHORIZED = ErrorSpec(
    401, "unauthorized", "调用方身份无效：请在 Authorization 头中携带有效的 Bearer 密钥。"
)
NOT_FOUND = ErrorSpec(404, "not_found", "没有这个接口，请核对请求地址。")
METHOD_NOT_ALLOWED = ErrorSpec(405, "method_not_allowed", "这个接口不支持该请求方法。")
INVALID_REQUEST = ErrorSpec(422, "invalid_request", "请求内容不正确，请核对后重试。")
INVALID_JSON = ErrorSpec(422, "invalid_json", "请求体不是有效的 JSON。")
INTERNAL_ERROR = ErrorSpec(500, "internal_error", "平台内部出错了，请稍后再试。")

# Education fees.
INVALID_STUDENT_ID = ErrorSpec(422, "invalid_student_id", "请提供正确的学籍号：10位数字。")

# Unified payment.
BILL_NOT_FOUND = ErrorSpec(404, "bill_not_found", "没有找到这张账单，请核对账单号。")
BILL_ALREADY_PAID = ErrorSpec(409, "bill_already_paid", "这张账单已经缴费，不能重复缴费。")
PAYMENT_PENDING_MESSAGE = "这张账单已经生成缴费码，还没有付款，请用原来的缴费码付款。"
"""The message of ``bill_already_paid`` while the bill's payment is pending."""
PAYMENT_NOT_FOUND = ErrorSpec(404, "payment_not_found", "没有找到这笔支付，请核对支付单号。")
INVALID_PHONE = ErrorSpec(422, "invalid_phone", "手机号格式不正确，应为11位手机号码。")
INVALID_PAYER = ErrorSpec(422, "invalid_payer", "付款人只能是本人（self）或家人（family）。")
INVALID_BILL_ID = ErrorSpec(422, "invalid_bill_id", "账单号不能为空。")
PAYMENT_NOT_PENDING = ErrorSpec(
    409, "payment_not_pending", "这笔支付不在待支付状态，无法完成支付。"
)

# Idempotency.
INVALID_IDEMPOTENCY_KEY = ErrorSpec(
    422, "invalid_idempotency_key", "Idempotency-Key 的长度应为1到255个字符。"
)
IDEMPOTENCY_KEY_REUSED = ErrorSpec(
    422, "idempotency_key_reused", "这个 Idempotency-Key 已用于另一个请求，请换一个新的键。"
)

# Rate limits and sandbox faults.
RATE_LIMITED = ErrorSpec(429, "rate_limited", "请求太频繁，请稍后再试。")
SERVICE_UNAVAILABLE = ErrorSpec(503, "service_unavailable", "平台暂时无法处理请求，请稍后再试。")

# Identity.
INVALID_NAME = ErrorSpec(422, "invalid_name", "姓名应为1到20个字。")
INVALID_ID_NUMBER = ErrorSpec(
    422, "invalid_id_number", "身份证号码不正确：应为18位，最后一位是校验码。"
)
INVALID_ID_LAST6 = ErrorSpec(422, "invalid_id_last6", "请提供身份证号码的后6位。")
INVALID_VERIFICATION_REQUEST = ErrorSpec(
    422, "invalid_verification_request", "请提供姓名和身份证号码，或手机号和身份证后6位。"
)
CITIZEN_NOT_FOUND = ErrorSpec(404, "citizen_not_found", "没有找到与这些信息相符的居民。")
SMS_TOO_FREQUENT = ErrorSpec(429, "sms_too_frequent", "验证码发送太频繁，请稍后再试。")
VERIFICATION_NOT_FOUND = ErrorSpec(
    404, "verification_not_found", "没有找到这次验证，请重新获取验证码。"
)
VERIFICATION_LOCKED = ErrorSpec(
    423, "verification_locked", "验证码输错次数太多，这次验证已锁定，请重新获取验证码。"
)
VERIFICATION_USED = ErrorSpec(
    409, "verification_already_used", "这次验证已经完成，请重新获取验证码。"
)
CODE_INVALID = ErrorSpec(422, "code_invalid", "验证码不正确。")
CODE_EXPIRED = ErrorSpec(410, "code_expired", "验证码已过期，请重新获取。")
CARD_UNREADABLE = ErrorSpec(422, "card_unreadable", "没有读到身份证信息，请重新放好身份证。")
CITIZEN_TOKEN_REQUIRED = ErrorSpec(
    401, "citizen_token_required", "这项业务需要先验证身份：请携带 X-Citizen-Token。"
)
CITIZEN_TOKEN_INVALID = ErrorSpec(401, "citizen_token_invalid", "身份凭证无效，请重新验证身份。")
CITIZEN_TOKEN_EXPIRED = ErrorSpec(401, "citizen_token_expired", "身份凭证已过期，请重新验证身份。")

# Proxy authorizations.
PROXY_AUTHORIZATION_INVALID = ErrorSpec(
    403, "proxy_authorization_invalid", "代办授权无效、已撤销或已过期。"
)
PROXY_SCOPE_DENIED = ErrorSpec(403, "proxy_scope_denied", "代办授权不包括这项业务。")
PROXY_NOT_ALLOWED = ErrorSpec(403, "proxy_not_allowed", "这项业务不能由他人代办，须本人办理。")
PROXY_AUTHORIZATION_NOT_FOUND = ErrorSpec(
    404, "proxy_authorization_not_found", "没有找到这项代办授权。"
)
INVALID_AGENT = ErrorSpec(
    422, "invalid_agent", "代办人应为家人（family）或工作人员（staff），并提供代办人编号。"
)
INVALID_SCOPES = ErrorSpec(422, "invalid_scopes", "授权范围应为1到13个事项编码。")
INVALID_EXPIRES_IN_DAYS = ErrorSpec(422, "invalid_expires_in_days", "授权有效期应为1到365天。")

# Service catalog and districts.
INVALID_DISTRICT = ErrorSpec(422, "invalid_district", "没有这个区，请说苏州市的区名，例如姑苏区。")
SERVICE_NOT_FOUND = ErrorSpec(404, "service_not_found", "没有这个事项，请核对事项编码。")

# Pension and medical insurance.
NOT_A_PENSIONER = ErrorSpec(404, "not_a_pensioner", "没有查到您的养老金领取记录。")
INVALID_CERTIFICATION_METHOD = ErrorSpec(
    422, "invalid_certification_method", "认证方式只能是刷脸、视频、上门或到代办点。"
)
CERTIFICATION_ALREADY_DONE = ErrorSpec(
    409, "certification_already_done", "本年度的资格认证已经完成，不用再认证。"
)
INVALID_MONTHS = ErrorSpec(422, "invalid_months", "查询月数应为1到24。")

# Utilities.
INVALID_UTILITY_TYPE = ErrorSpec(422, "invalid_utility_type", "缴费类型只能是水费、电费或燃气费。")
INVALID_ACCOUNT_NUMBER = ErrorSpec(422, "invalid_account_number", "户号应为10位数字。")

# Applications.
SERVICE_NOT_APPLICABLE = ErrorSpec(
    422, "service_not_applicable", "这个事项不需要提交申请，请用对应的查询或办理功能。"
)
INVALID_FORM = ErrorSpec(422, "invalid_form", "申请表内容不完整。")
COMMITMENT_NOT_ACCEPTED = ErrorSpec(
    422, "commitment_not_accepted", "这个事项不能用告知承诺代替证明材料。"
)
NOT_ELIGIBLE = ErrorSpec(422, "not_eligible", "不符合申请条件。")
MATERIALS_REQUIRED = ErrorSpec(422, "materials_required", "还缺少证明材料。")
DUPLICATE_APPLICATION = ErrorSpec(
    409, "duplicate_application", "这个事项已经申请过了，正在办理或已经办结。"
)
APPLICATION_NOT_FOUND = ErrorSpec(
    404, "application_not_found", "没有找到这个办件，请核对办件编号。"
)

# E-certificates.
INVALID_CERTIFICATE_TYPE = ErrorSpec(422, "invalid_certificate_type", "没有这种证照。")
CERTIFICATE_NOT_FOUND = ErrorSpec(404, "certificate_not_found", "您还没有这个电子证照。")
CERTIFICATE_EXPIRED = ErrorSpec(409, "certificate_expired", "这个证照已经过期，不能出示。")

# Appointments.
POINT_NOT_FOUND = ErrorSpec(404, "point_not_found", "没有这个办事地点。")
SERVICE_NOT_OFFERED = ErrorSpec(422, "service_not_offered", "这个地点不办理这项业务。")
INVALID_DATE = ErrorSpec(422, "invalid_date", "日期格式应为 YYYY-MM-DD。")
SLOT_NOT_FOUND = ErrorSpec(404, "slot_not_found", "没有这个预约时段。")
SLOT_FULL = ErrorSpec(409, "slot_full", "这个时段已经约满了，请换一个时间。")
HOME_VISIT_NOT_AVAILABLE = ErrorSpec(422, "home_visit_not_available", "这项业务不提供上门服务。")
ADDRESS_REQUIRED = ErrorSpec(422, "address_required", "上门服务需要提供地址。")
DUPLICATE_APPOINTMENT = ErrorSpec(409, "duplicate_appointment", "您已经预约了这个时段。")
APPOINTMENT_NOT_FOUND = ErrorSpec(404, "appointment_not_found", "没有找到这个预约。")

# Complaints.
INVALID_CATEGORY = ErrorSpec(422, "invalid_category", "类别只能是投诉、建议、咨询、求助或表扬。")
INVALID_CONTENT = ErrorSpec(422, "invalid_content", "内容应为5到2000个字。")

# Sandbox helpers.
SMS_NOT_FOUND = ErrorSpec(404, "sms_not_found", "没有发给这个手机号的验证码。")
INVALID_FAULTS = ErrorSpec(
    422, "invalid_faults", "故障设置不正确：latency_ms 为0到30000，error_rate 为0到1。"
)

FIELD_ERRORS: dict[tuple[str, str], ErrorSpec] = {
    ("query", "student_id"): INVALID_STUDENT_ID,
    ("header", "idempotency-key"): INVALID_IDEMPOTENCY_KEY,
    ("body", "bill_id"): INVALID_BILL_ID,
    ("body", "payer"): INVALID_PAYER,
    ("body", "notify_phone"): INVALID_PHONE,
    ("body", "contact_phone"): INVALID_PHONE,
    ("body", "phone"): INVALID_PHONE,
    ("query", "phone"): INVALID_PHONE,
    ("body", "name"): INVALID_NAME,
    ("body", "id_number"): INVALID_ID_NUMBER,
    ("body", "id_last6"): INVALID_ID_LAST6,
    ("body", "code"): CODE_INVALID,
    ("body", "card_payload"): CARD_UNREADABLE,
    ("query", "district"): INVALID_DISTRICT,
    ("body", "method"): INVALID_CERTIFICATION_METHOD,
    ("query", "months"): INVALID_MONTHS,
    ("query", "type"): INVALID_UTILITY_TYPE,
    ("query", "account_number"): INVALID_ACCOUNT_NUMBER,
    ("body", "form"): INVALID_FORM,
    ("path", "certificate_type"): INVALID_CERTIFICATE_TYPE,
    ("query", "date"): INVALID_DATE,
    ("body", "address"): ADDRESS_REQUIRED,
    ("body", "category"): INVALID_CATEGORY,
    ("body", "content"): INVALID_CONTENT,
    ("body", "agent_kind"): INVALID_AGENT,
    ("body", "agent_id"): INVALID_AGENT,
    ("body", "scopes"): INVALID_SCOPES,
    ("body", "expires_in_days"): INVALID_EXPIRES_IN_DAYS,
    ("body", "latency_ms"): INVALID_FAULTS,
    ("body", "error_rate"): INVALID_FAULTS,
}
"""Request fields whose validation failure has its own contract code (location, field)."""
