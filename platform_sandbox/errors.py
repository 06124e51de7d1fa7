"""Contract errors: a typed exception and the catalog of codes the sandbox answers with.

Every error leaves the app as ``{"error": {"code": "snake_case", "message": "中文说明"}}``
(see :mod:`platform_sandbox.error_handlers`). The codes are part of the platform contract;
operators grep them, the messages are read by people.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    ) -> None:
        super().__init__(spec.code)
        self.spec = spec
        self.message = message or spec.message
        self.headers = headers

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
BILL_ALREADY_PAID = ErrorSpec(
    409, "bill_already_paid", "这张账单已经缴费或正在缴费中，不能重复缴费。"
)
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

FIELD_ERRORS: dict[tuple[str, str], ErrorSpec] = {
    ("query", "student_id"): INVALID_STUDENT_ID,
    ("header", "idempotency-key"): INVALID_IDEMPOTENCY_KEY,
    ("body", "bill_id"): INVALID_BILL_ID,
    ("body", "payer"): INVALID_PAYER,
    ("body", "notify_phone"): INVALID_PHONE,
}
"""Request fields whose validation failure has its own contract code (location, field)."""
