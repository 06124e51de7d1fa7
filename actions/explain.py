"""Platform errors as short, plain Chinese with a next step (one helper for every action)."""

from __future__ import annotations

from actions.platform.errors import PlatformError, PlatformUnavailable

# code → (what happened, what to do next). Sentences stay under 40 characters.
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "bill_already_paid": ("这笔费用已经缴过了，不用再缴。", "还有别的事要办吗？"),
    "bill_not_found": ("没有找到这笔账单。", "请核对学号，或说“转人工”。"),
    "unauthorized": ("系统连接出了问题，没有扣任何钱。", "请说“转人工”，让工作人员帮您。"),
}
_UNAVAILABLE = ("抱歉，办事平台暂时连不上，没有扣任何钱。", "您可以稍后再试，或说“转人工”。")
_UNKNOWN = ("抱歉，这一步没有办成，没有扣任何钱。", "您可以再试一次，或说“转人工”。")


def explain(error: PlatformError) -> list[str]:
    """The messages to say for ``error``: what happened, then the next step."""
    if isinstance(error, PlatformUnavailable):
        return list(_UNAVAILABLE)
    return list(_EXPLANATIONS.get(error.code, _UNKNOWN))
