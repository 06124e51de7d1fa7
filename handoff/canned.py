"""Canned replies for the console: short, plain sentences staff send with one click."""

from __future__ import annotations

CANNED_REPLIES: tuple[tuple[str, str], ...] = (
    ("问候", "您好，我是工作人员，请问有什么可以帮您？"),
    ("请稍等", "好的，我帮您查一下，请稍等一两分钟。"),
    ("慢慢说", "不着急，您慢慢说，我在听。"),
    ("核对身份", "为了保护您的信息，我需要先核对一下您的身份。"),
    ("防骗提醒", "请不要给任何人转账，也不要把验证码告诉别人。政府工作人员不会让您转账。"),
    ("上门服务", "如果您行动不方便，我们可以安排工作人员上门为您办理。"),
    ("代办说明", "我可以替您代办，需要先征得您的同意，办完会告诉您结果。"),
    ("结束语", "还有别的需要帮忙的吗？没有的话，我把您转回小助手。"),
)
"""(label, text) pairs, in the order the console shows them."""


def canned_replies() -> list[dict[str, str]]:
    """The canned replies as the API returns them."""
    return [{"label": label, "text": text} for label, text in CANNED_REPLIES]
