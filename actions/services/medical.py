"""医保查询: the personal account's balance, how long it is paid for, the latest claim."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.services.base import Service, Turn, day
from platform_client import PlatformError
from zhtext.numbers import format_amount


class MedicalInsuranceQuery(Service):
    code = "medical_insurance_query"
    intent = "query_medical_insurance"
    title = "查医保"

    async def complete(self, turn: Turn) -> list[EventType]:
        try:
            account = await turn.platform.medical_account(citizen=await turn.auth())
        except PlatformError as error:
            turn.explain(error)
            return []
        turn.say(f"医保个人账户余额 {format_amount(account.balance)} 元。")
        if account.status != "active":
            turn.say(f"医保只缴到 {day(account.paid_until)}，所以现在暂停了。")
            turn.say("看病先不能报销，续缴以后就恢复。")
            turn.say("想问怎么续缴，请说“转人工”。")
        else:
            turn.say(f"医保已经缴到 {day(account.paid_until)}。")
        if account.recent_claims:
            claim = max(account.recent_claims, key=lambda c: c.date)
            turn.say(f"最近一次看病：{day(claim.date)}，{claim.hospital}。")
            turn.say(
                f"花了 {format_amount(claim.total)} 元，报销 {format_amount(claim.reimbursed)} 元。"
            )
        return []


SERVICES = (MedicalInsuranceQuery,)
