"""预约办事: a time at an agency point of the citizen's district, or a home visit.

Questions: which service (skipped when the request or an offering service named it) → where
(at most three places: the points of the district that handle it, or "上门" when staff may
come) → the address for a home visit → which day (今天, 下周三, 12月3号 …, Beijing time) → which
of the free times that day → a grouped read-back and "现在预约吗？". The booking is made when
the citizen says "对" (with an Idempotency-Key), so a time taken meanwhile (``slot_full``) offers
the other times of that day; the ending says the confirmation code, place, time and what to
bring.

Another service may end with ``offer("appointment")`` and set the ``appointment_for`` slot to
the service code to book (``bot/domain/appointments.yml``): "对" then skips "办什么事".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk.events import EventType

from actions import clock, identity
from actions.services.applications import KINDS as ASSISTANCE_KINDS
from actions.services.base import Button, Service, Turn, clean_answer, day, yes_no
from actions.services.when_where import (
    ADDRESS_MARKS,
    COMMUNITY_WORDS,
    HALL_WORDS,
    MIN_ADDRESS_CHARS,
    ORDINALS,
    Place,
    clock_in,
    clock_label,
    event_entity,
    example_day,
    match_place,
    parse_day,
    request_event,
    service_in,
    span_label,
    wants_home_visit,
)
from platform_client import PlatformError
from zhtext import spoken as said
from zhtext.speakable import spoken

HOME = "home"
"""``appointment_place`` of a home visit (otherwise the point id)."""

SERVICE_NAMES = {
    "senior_card": "办老年卡",
    "elderly_allowance": "申请高龄津贴",
    "hukou_transfer": "户口迁移",
    "pension_certification": "养老金认证",
    "social_assistance": "申请救助",
    "medical_insurance_query": "医保业务",
    "e_certificate": "证照业务",
}
"""The bookable services of the catalog, as said to the citizen."""
HOME_VISIT_SERVICES = frozenset({"pension_certification", "elderly_allowance", "senior_card"})
"""Services staff can do at the citizen's home."""
LIKELY_SERVICES = ("senior_card", "pension_certification", "hukou_transfer")
LIKELY_SERVICES_80 = ("elderly_allowance", "senior_card", "pension_certification")
"""The three offered as buttons (the allowance first from 80)."""
ALLOWANCE_AGE = 80
DEFAULT_MATERIALS = ("居民身份证",)

# -- the conversation ----------------------------------------------------------------------


class BookAppointment(Service):
    code = "appointment"
    intent = "book_appointment"
    title = "预约办事"
    asked = (
        "appointment_service",
        "appointment_place",
        "appointment_address",
        "appointment_date",
        "appointment_time",
        "appointment_confirmed",
        "appointment_change",
    )
    kept = (
        "appointment_points",
        "appointment_point",
        "appointment_slots",
        "appointment_materials",
        "appointment_no_home",
        "appointment_booked",
    )

    def steps(self, turn: Turn) -> list[str]:
        steps = ["appointment_service", "appointment_place"]
        if turn.slot("appointment_place") == HOME:
            steps.append("appointment_address")
        steps += ["appointment_date", "appointment_time", "appointment_confirmed"]
        if turn.slot("appointment_confirmed") is False:
            steps.append("appointment_change")
        return steps

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        updates: dict[str, Any] = {"appointment_for": None} if turn.slot("appointment_for") else {}
        event = request_event(turn, self.intent)
        if event is None:
            code = service_in(turn.slot("appointment_for"))
            said, point_said = "", None
        else:
            said = str(event.get("text") or "")
            # "好的，帮我约一下" after an offer: the offered service, when the words name none.
            code = service_in(said) or service_in(turn.slot("appointment_for"))
            point_said = event_entity(event, "agency_point")
        if code is None:
            return updates
        updates.update(await self._for_service(code, turn))
        if not updates.get("service_done"):
            updates.update(self._wish(said, point_said, turn, updates))
        return updates

    def _wish(
        self, said: str, point_said: str | None, turn: Turn, updates: dict[str, Any]
    ) -> dict[str, Any]:
        """The place the request asked for ("上门", "去平江代办点"), once the service is known."""
        turn.updates.update(updates)
        if wants_home_visit(said):
            home = self._home(turn)
            return home if home.get("appointment_place") == HOME else {}
        if updates.get("appointment_place") or not (point_said or said):
            return {}
        places = self._places(turn)
        place = match_place(point_said, places) or match_place(said, places, ordinals=False)
        if place is None:
            return {}
        return {"appointment_place": place.point_id, "appointment_point": place.as_slot()}

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "appointment_service":
            age = int(turn.slot("citizen_age") or 0)
            likely = LIKELY_SERVICES_80 if age >= ALLOWANCE_AGE else LIKELY_SERVICES
            names = [SERVICE_NAMES[code] for code in likely]
            turn.say(
                f"您要预约办什么事：{names[0]}、{names[1]}，还是{names[2]}？",
                [(name, name) for name in names],
            )
        elif slot == "appointment_place":
            self._ask_place(turn)
        elif slot == "appointment_address":
            turn.say(f"请说{identity.whose(turn, self)}家的地址，要说到门牌号。")
        elif slot == "appointment_date":
            self._ask_date(turn)
        elif slot == "appointment_time":
            self._ask_time(turn)
        elif slot == "appointment_confirmed":
            self._read_back(turn)
        elif slot == "appointment_change":
            turn.say(
                "哪一项要改：地点、日期，还是时间？",
                (("改地点", "改地点"), ("改日期", "改日期"), ("改时间", "改时间")),
            )

    def _ask_place(self, turn: Turn) -> None:
        home = self._home_allowed(turn)
        places = self._places(turn)[: 2 if home else 3]
        lines = [f"{'可以' if i == 0 else '也可以'}去{p.name}。" for i, p in enumerate(places)]
        buttons: list[Button] = [(p.name, p.name) for p in places]
        if home:
            lines.append("还可以请工作人员上门来办。")
            buttons.append(("请人上门", "上门"))
        # One place a message: a list in one breath is too long to follow.
        for line in lines:
            turn.say(line)
        turn.say("您想在哪里办？", buttons)

    def _ask_date(self, turn: Turn) -> None:
        if turn.slot("appointment_place") == HOME:
            turn.say(f"您想哪天请人上门？比如明天，或者{example_day(clock.today())}。")
            return
        place = Place.from_slot(turn.slot("appointment_point"))
        where = f"地点是{place.name}。" if place else ""
        turn.say(f"{where}您想哪天去？比如明天，或者{example_day(clock.today())}。")

    def _ask_time(self, turn: Turn) -> None:
        free = _free(turn.slot("appointment_slots"))[:3]
        labels = [clock_label(s["start"]) for s in free]
        turn.say(
            f"{day(turn.slot('appointment_date'))}还能约：{'、'.join(labels)}。您选哪个时间？",
            [(label, label) for label in labels],
        )

    @staticmethod
    def _service_said(turn: Turn) -> str:
        """What the appointment is for, as precisely as known (申请医疗救助, not 申请低保)."""
        code = str(turn.slot("appointment_service"))
        kind = ASSISTANCE_KINDS.get(str(turn.slot("assistance_kind")))
        if code == "social_assistance" and kind:
            return f"申请{kind[0]}"
        return SERVICE_NAMES.get(code, "办事")

    def _read_back(self, turn: Turn) -> None:
        slot = self._chosen(turn)
        turn.say(f"请核对：{self._service_said(turn)}。")
        if turn.slot("appointment_place") == HOME:
            turn.say(f"上门地址：{turn.slot('appointment_address')}。")
        else:
            place = Place.from_slot(turn.slot("appointment_point"))
            turn.say(f"地点：{place.name if place else ''}。")
        when = span_label(slot["start"], slot["end"]) if slot else ""
        turn.say(f"时间：{day(turn.slot('appointment_date'))}{when}。")
        turn.say("现在预约吗？", yes_no("对，现在约", "要改一下"))

    # -- answers -----------------------------------------------------------------------------

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "appointment_service":
            return await self._service(value, turn)
        if slot == "appointment_place":
            return await self._place(value, turn)
        if slot == "appointment_address":
            return self._address(value, turn)
        if slot == "appointment_date":
            return await self._day(value, turn)
        if slot == "appointment_time":
            return await self._time(value, turn)
        if slot == "appointment_confirmed":
            return await self._confirmed(value, turn)
        if slot == "appointment_change":
            return self._change(value, turn)
        return None

    async def _service(self, value: Any, turn: Turn) -> dict[str, Any]:
        code = service_in(value) or service_in(turn.latest_text())
        if code is None:
            turn.reject("没有听清要办什么事。")
            return {"appointment_service": None}
        updates = await self._for_service(code, turn)
        event = request_event(turn, self.intent)
        if event is not None and not updates.get("service_done"):
            # "能不能预约上门服务", then the service: the home visit was asked for already.
            updates.update(self._wish(str(event.get("text") or ""), None, turn, updates))
        return updates

    async def _for_service(self, code: str, turn: Turn) -> dict[str, Any]:
        """The service is known: the places of the district that handle it, what to bring."""
        district = turn.slot("citizen_district") or None
        today = clock.today().isoformat()
        try:
            points = await turn.platform.agency_points(district=district)
            catalog = await turn.platform.services()
            places = []
            for point in points:
                try:
                    await turn.platform.slots(
                        service_code=code, point_id=point.point_id, date=today
                    )
                except PlatformError as error:
                    if error.code in ("service_not_offered", "point_not_found"):
                        continue
                    raise
                places.append(Place(point.point_id, point.name, point.address, point.kind))
        except PlatformError as error:
            turn.explain(error)
            return {"appointment_service": None, "service_done": True}
        name = SERVICE_NAMES[code]
        if not places:
            turn.say(f"附近没有能预约{name}的地方。")
            turn.say("请说“转人工”，让工作人员帮您。")
            return {"appointment_service": None, "service_done": True}
        materials = next((s.materials for s in catalog if s.code == code), ())
        updates: dict[str, Any] = {
            "appointment_service": code,
            "appointment_points": [p.as_slot() for p in places],
            "appointment_materials": list(materials or DEFAULT_MATERIALS),
        }
        if len(places) == 1 and code not in HOME_VISIT_SERVICES:
            updates["appointment_place"] = places[0].point_id
            updates["appointment_point"] = places[0].as_slot()
        return updates

    async def _place(self, value: Any, turn: Turn) -> dict[str, Any]:
        said = clean_answer(value)
        if wants_home_visit(said) or wants_home_visit(turn.latest_text()):
            return self._home(turn)
        entity = turn.entity("agency_point")
        place = match_place(entity, self._places(turn)) or match_place(said, self._places(turn))
        if place is None and (entity or said):
            place = await self._elsewhere(entity or said, turn)
            if place is None and turn.failed:
                return {"appointment_place": None}
        if place is None:
            turn.reject("没有听清是哪个地方。")
            return {"appointment_place": None}
        try:
            await turn.platform.slots(
                service_code=str(turn.slot("appointment_service")),
                point_id=place.point_id,
                date=clock.today().isoformat(),
            )
        except PlatformError as error:
            return self._place_refused(error, place, turn)
        return {"appointment_place": place.point_id, "appointment_point": place.as_slot()}

    async def _elsewhere(self, said: str, turn: Turn) -> Place | None:
        """A point outside the citizen's district, named exactly."""
        try:
            points = await turn.platform.agency_points()
        except PlatformError as error:
            turn.explain(error)
            turn.failed = True
            return None
        places = [Place(p.point_id, p.name, p.address, p.kind) for p in points]
        return match_place(said, places, generic=False)

    def _place_refused(self, error: PlatformError, place: Place, turn: Turn) -> dict[str, Any]:
        """The platform refused the place (``service_not_offered``, ``point_not_found`` …)."""
        name = SERVICE_NAMES.get(str(turn.slot("appointment_service")), "这件事")
        if error.code == "service_not_offered":
            turn.say(f"{place.name}办不了{name}。")
            turn.say("请换一个地方。")
        elif error.code == "point_not_found":
            turn.say("没有找到这个办事地点。")
            turn.say("请换一个地方。")
        else:
            turn.explain(error)
        return _from_place()

    def _home(self, turn: Turn) -> dict[str, Any]:
        """A home visit: the slots are those of the nearest point that does the service."""
        places = self._places(turn)
        if not self._home_allowed(turn) or not places:
            name = SERVICE_NAMES.get(str(turn.slot("appointment_service")), "这件事")
            turn.say(f"{name}不能上门办理，要到大厅或代办点办。")
            return {"appointment_place": None}
        base = next((p for p in places if p.kind != "hall"), places[0])
        return {"appointment_place": HOME, "appointment_point": base.as_slot()}

    def _address(self, value: Any, turn: Turn) -> dict[str, Any]:
        address = clean_answer(value).replace(" ", "")
        if len(address) < MIN_ADDRESS_CHARS or not any(m in address for m in ADDRESS_MARKS):
            turn.reject("地址要说到门牌号，比如平江路12号。")
            return {"appointment_address": None}
        return {"appointment_address": address[:200]}

    async def _day(self, value: Any, turn: Turn) -> dict[str, Any]:
        today = clock.today()
        chosen = parse_day(str(value or ""), today) or parse_day(turn.latest_text(), today)
        if chosen is None and self._names_a_place(value, turn):
            return {**await self._place(value, turn), "appointment_date": None}
        if chosen is None:
            turn.reject("没有听清是哪一天。")
            return {"appointment_date": None}
        if chosen < today:
            turn.reject(f"{day(chosen.isoformat())}已经过去了。")
            return {"appointment_date": None}
        slots, refused = await self._slots_of(chosen, turn)
        if slots is None:
            return {"appointment_date": None, **refused}
        updates: dict[str, Any] = {
            "appointment_date": chosen.isoformat(),
            "appointment_slots": slots,
            "appointment_time": None,
        }
        free = _free(slots)
        if not free:
            full = "的时间都约满了" if slots else "没有能约的时间"
            turn.say(f"{day(chosen.isoformat())}{full}，请换一天。")
            return {"appointment_date": None, "appointment_slots": None}
        said = clock_in(turn.latest_text())
        picked = _at(free, said) if said else None
        if picked is not None:
            updates["appointment_time"] = picked["slot_id"]
        elif said:
            # "12月7号上午九点": that hour is taken (or not offered) — say so before the others.
            asked = _at(slots, said)
            taken = "已经约满了" if asked is not None else "不能约"
            label = clock_label(asked["start"]) if asked is not None else "这个时间"
            turn.say(f"{label}{taken}。")
        return updates

    async def _slots_of(
        self, chosen: date, turn: Turn
    ) -> tuple[list[dict[str, Any]] | None, dict[str, Any]]:
        """Every slot of the day at the chosen point (past ones dropped), or None and the slot
        values that go back to the question the refusal concerns."""
        place = Place.from_slot(turn.slot("appointment_point"))
        if place is None:
            return None, _from_place()
        try:
            slots = await turn.platform.slots(
                service_code=str(turn.slot("appointment_service")),
                point_id=place.point_id,
                date=chosen.isoformat(),
            )
        except PlatformError as error:
            if error.code == "invalid_date":
                turn.reject("没有听清是哪一天。")
                return None, {}
            if error.code in ("service_not_offered", "point_not_found"):
                return None, self._place_refused(error, place, turn)
            turn.explain(error)
            return None, {"service_done": True}
        now = clock.now().isoformat(timespec="seconds")
        return [
            {"slot_id": s.slot_id, "start": s.start, "end": s.end, "remaining": s.remaining}
            for s in slots
            if s.start > now
        ], {}

    async def _time(self, value: Any, turn: Turn) -> dict[str, Any]:
        said = clean_answer(value)
        other_day = parse_day(said, clock.today())
        if other_day is not None and other_day.isoformat() != turn.slot("appointment_date"):
            return await self._day(said, turn)  # "那就12月3号吧": another day
        slots = turn.slot("appointment_slots") or []
        free = _free(slots)
        offered = free[:3]
        for word, index in ORDINALS:
            if word in said and index < len(offered):
                return {"appointment_time": offered[index]["slot_id"]}
        said_clock = clock_in(said)
        if said_clock is None and ("上午" in said or "下午" in said):
            half = [s for s in free if (int(s["start"][11:13]) < 12) == ("上午" in said)]
            if half:
                return {"appointment_time": half[0]["slot_id"]}
        chosen = _at(slots, said_clock) if said_clock else None
        if chosen is None:
            turn.reject("请从能约的时间里选一个。")
            return {"appointment_time": None}
        if chosen["remaining"] <= 0:
            turn.say(f"{clock_label(chosen['start'])}已经约满了。")
            return {"appointment_time": None}
        return {"appointment_time": chosen["slot_id"]}

    async def _confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        if value is False:
            return {"appointment_confirmed": False, "appointment_change": None}
        if value is not True:
            turn.reject("请说“对”，或者“要改一下”。")
            return {"appointment_confirmed": None}
        code = str(turn.slot("appointment_service"))
        slot_id = str(turn.slot("appointment_time"))
        home = turn.slot("appointment_place") == HOME
        address = str(turn.slot("appointment_address") or "") if home else None
        try:
            booked = await turn.platform.book_appointment(
                citizen=await turn.auth(),
                slot_id=slot_id,
                service_code=code,
                home_visit=home,
                address=address,
                idempotency_key=turn.idempotency_key(code, slot_id, home, address or ""),
            )
        except PlatformError as error:
            return await self._not_booked(error, turn)
        slot = self._chosen(turn) or {"start": booked.start, "end": booked.start}
        return {
            "appointment_confirmed": True,
            "appointment_booked": {
                "code": booked.confirmation_code,
                "start": slot["start"],
                "end": slot["end"],
                "point": booked.point_name,
                "address": booked.point_address,
                "home_address": address,
            },
        }

    async def _not_booked(self, error: PlatformError, turn: Turn) -> dict[str, Any]:
        """The booking was refused: say why and go back to the question that fixes it."""
        again = {"appointment_confirmed": None}
        if error.code in ("slot_full", "slot_not_found"):
            turn.say("这个时间刚刚被约满了。")
            chosen = date.fromisoformat(str(turn.slot("appointment_date")))
            slots, refused = await self._slots_of(chosen, turn)
            if slots is None:
                return {**again, **refused}
            if _free(slots):
                return {**again, "appointment_time": None, "appointment_slots": slots}
            turn.say("这一天别的时间也约满了，请换一天。")
            return {**again, "appointment_time": None, "appointment_date": None}
        if error.code in ("service_not_offered", "point_not_found"):
            place = Place.from_slot(turn.slot("appointment_point"))
            return {
                **again,
                **self._place_refused(error, place or Place("", "这个地点", "", ""), turn),
            }
        if error.code == "home_visit_not_available":
            turn.say("这件事不能上门办理，要到大厅或代办点办。")
            return {**again, **_from_place(), "appointment_no_home": True}
        if error.code == "address_required":
            turn.say("上门服务需要您家的地址。")
            return {**again, "appointment_address": None}
        turn.explain(error)
        return {"appointment_confirmed": False, "service_done": True}

    def _change(self, value: Any, turn: Turn) -> dict[str, Any]:
        said = clean_answer(value)
        if any(word in said for word in ("事", "业务", "服务")) and "时" not in said:
            return {"appointment_service": None, "appointment_points": None, **_from_place()}
        if any(word in said for word in ("地点", "地方", "上门", "地址", "大厅", "代办点")):
            return _from_place()
        if any(word in said for word in ("日期", "日子", "哪天", "天", "号", "日")):
            return {**_from_day(), "appointment_date": None, "appointment_slots": None}
        if any(word in said for word in ("时间", "几点", "点", "钟头")):
            return _from_day()
        turn.reject("请说要改地点、日期，还是时间。")
        return {"appointment_change": None}

    def _names_a_place(self, value: Any, turn: Turn) -> bool:
        """Whether an answer about the day names a place instead ("我想去平江代办点")."""
        said = clean_answer(value)
        return bool(
            turn.entity("agency_point")
            or wants_home_visit(said)
            or any(word in said for word in (*HALL_WORDS, *COMMUNITY_WORDS))
        )

    def _chosen(self, turn: Turn) -> dict[str, Any] | None:
        slot_id = turn.slot("appointment_time")
        slots = turn.slot("appointment_slots") or []
        return next((s for s in slots if s.get("slot_id") == slot_id), None)

    def _places(self, turn: Turn) -> list[Place]:
        kept = turn.slot("appointment_points") or []
        return [p for p in (Place.from_slot(value) for value in kept) if p is not None]

    def _home_allowed(self, turn: Turn) -> bool:
        code = str(turn.slot("appointment_service"))
        return code in HOME_VISIT_SERVICES and not turn.slot("appointment_no_home")

    # -- the ending --------------------------------------------------------------------------

    async def complete(self, turn: Turn) -> list[EventType]:
        booked = turn.slot("appointment_booked")
        if not isinstance(booked, dict):
            return []
        when = f"{day(booked['start'])}{span_label(booked['start'], booked['end'])}"
        turn.say(spoken("预约好了，预约码是 ", said.code(str(booked["code"])), "。"))
        if booked.get("home_address"):
            turn.say(f"工作人员会在{when}上门。")
            turn.say(f"地址：{booked['home_address']}。")
            turn.say("上门前会先给您打电话。")
        else:
            turn.say(f"时间：{when}。")
            turn.say(f"地点：{booked['point']}。")
            turn.say(f"地址：{booked['address']}。")
        materials = list(turn.slot("appointment_materials") or DEFAULT_MATERIALS)
        # Staff who come to the home see the papers there: get them ready, nothing to carry.
        turn.say(_bring(materials, "请准备好：" if booked.get("home_address") else "请带上："))
        turn.say("到时把预约码告诉工作人员就行。")
        return []


def _bring(materials: list[str], lead: str = "请带上：") -> str:
    """ "请带上：居民身份证、近期免冠照片。" (the first ones when the list is long)."""
    shown: list[str] = []
    for material in materials:
        if len(lead + "、".join([*shown, material]) + "。") > 38:
            break
        shown.append(material)
    more = "等" if len(shown) < len(materials) else ""
    return f"{lead}{'、'.join(shown)}{more}。"


def _free(slots: Any) -> list[dict[str, Any]]:
    """The slots with places left."""
    return [s for s in slots or [] if int(s.get("remaining") or 0) > 0]


def _at(slots: list[dict[str, Any]], clock: tuple[int, int]) -> dict[str, Any] | None:
    """The slot starting at ``clock`` (hour, minute)."""
    hour, minute = clock
    for slot in slots:
        if int(slot["start"][11:13]) == hour and int(slot["start"][14:16]) == minute:
            return slot
    return None


def _from_day() -> dict[str, Any]:
    """Clear the answers from the time on."""
    return {
        "appointment_time": None,
        "appointment_confirmed": None,
        "appointment_change": None,
        "appointment_booked": None,
    }


def _from_place() -> dict[str, Any]:
    """Clear the answers from the place on."""
    return {
        **_from_day(),
        "appointment_place": None,
        "appointment_point": None,
        "appointment_address": None,
        "appointment_date": None,
        "appointment_slots": None,
    }


SERVICES = (BookAppointment,)
