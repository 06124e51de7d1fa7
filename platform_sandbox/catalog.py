"""The service catalog (事项): the 13 services of the contract and their rules.

Reference data, not seeded rows: the same on every platform instance. The rules here drive
the applications (eligibility, materials, informed commitment), appointments (which services
can be booked where, home visits) and proxy authorizations (``proxy_allowed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Service:
    """One service of the catalog."""

    code: str
    name: str
    department: str
    requires_identity: bool
    accepts_commitment: bool
    """Whether the informed-commitment statement (告知承诺) may replace the proofs."""
    materials: tuple[str, ...]
    channels: tuple[str, ...]
    proxy_allowed: bool
    keywords: tuple[str, ...] = ()
    """Other words people use for it (matched by ``GET /v1/services?q=``)."""
    applicable: bool = False
    """Whether ``POST /v1/applications`` accepts it."""
    min_age: int | None = None
    """Minimum age in whole years (``not_eligible`` below it)."""
    form_fields: tuple[str, ...] = ()
    """Fields the application form must contain."""
    community_point: bool = False
    """Whether community agency points (not only halls) handle it: bookable there."""
    bookable: bool = False
    """Whether appointments can be booked for it."""
    home_visit: bool = False
    """Whether staff can come to the citizen's home for it."""
    next_steps: tuple[str, ...] = field(default=())
    """What happens after an application is submitted (told to the citizen)."""


SERVICES: tuple[Service, ...] = (
    Service(
        "education_fee", "教育缴费", "市教育局", False, False, (), ("online", "kiosk", "phone"),
        True, keywords=("学费", "交学费", "餐费", "幼儿园", "学校"),
    ),
    Service(
        "pension_certification", "养老金领取资格认证", "市人力资源和社会保障局", True, False,
        ("居民身份证",), ("online", "kiosk", "agency_point", "home_visit"), True,
        keywords=("认证", "资格认证", "生存认证", "养老金"), community_point=True,
        bookable=True, home_visit=True,
    ),
    Service(
        "pension_query", "养老金发放查询", "市人力资源和社会保障局", True, False, (),
        ("online", "kiosk", "phone"), True, keywords=("养老金", "退休金", "发放"),
    ),
    Service(
        "medical_insurance_query", "医保个人账户与报销查询", "市医疗保障局", True, False, (),
        ("online", "kiosk", "phone"), True, keywords=("医保", "报销", "看病"), bookable=True,
    ),
    Service(
        "utility_payment", "水电燃气缴费", "市公用事业服务中心", False, False, (),
        ("online", "kiosk", "phone"), True, keywords=("水费", "电费", "燃气费", "煤气"),
    ),
    Service(
        "elderly_allowance", "高龄津贴（尊老金）申请", "市民政局", True, True,
        ("居民身份证", "居民户口簿", "本人银行卡"), ("online", "kiosk", "agency_point", "counter"),
        True, keywords=("高龄津贴", "尊老金", "高龄补贴", "津贴"), applicable=True, min_age=80,
        community_point=True, bookable=True, home_visit=True,
        next_steps=("街道在5个工作日内审核", "审核通过后，津贴次月起发到社保卡"),
    ),
    Service(
        "senior_card", "敬老卡办理与补办", "市民政局", True, True, ("居民身份证", "近期免冠照片"),
        ("online", "kiosk", "agency_point", "counter"), True,
        keywords=("老年卡", "敬老卡", "优待证", "老人卡"), applicable=True, min_age=60,
        community_point=True, bookable=True, home_visit=True,
        next_steps=("10个工作日内制卡", "卡片制好后短信通知您到社区领取"),
    ),
    Service(
        "e_certificate", "电子证照出示与下载", "市大数据管理局", True, False, (),
        ("online", "kiosk"), False, keywords=("证照", "身份证", "户口本", "电子证"), bookable=True,
    ),
    Service(
        "hukou_transfer", "户口迁移", "市公安局", True, False,
        ("居民身份证", "居民户口簿", "迁入地住房证明", "准予迁入证明"), ("counter", "agency_point"),
        True, keywords=("户口", "迁户口", "落户"), applicable=True,
        form_fields=("from_address", "to_address"), bookable=True,
        next_steps=("公安部门在10个工作日内审核", "审核通过后请预约到大厅领取新户口簿"),
    ),
    Service(
        "appointment", "预约办事", "市政务服务管理办公室", True, False, (),
        ("online", "kiosk", "phone"), True, keywords=("预约", "上门", "大厅", "代办点"),
    ),
    Service(
        "social_assistance", "低保与临时救助申请", "市民政局", True, False,
        ("居民身份证", "居民户口簿", "家庭收入证明", "家庭财产申报表"),
        ("online", "agency_point", "counter"), True, keywords=("低保", "救助", "困难", "补助"),
        applicable=True, form_fields=("kind", "monthly_income_per_person"),
        community_point=True, bookable=True,
        next_steps=("社区工作人员将在7日内入户调查", "审核结果以短信通知您"),
    ),
    Service(
        "application_status", "办件进度查询", "市政务服务管理办公室", False, False, (),
        ("online", "kiosk", "phone"), True, keywords=("进度", "办到哪", "查询"),
    ),
    Service(
        "complaint", "12345投诉建议", "12345政务服务便民热线", False, False, (),
        ("online", "phone"), True, keywords=("投诉", "建议", "反映", "12345"),
    ),
)  # fmt: skip

SOCIAL_ASSISTANCE_KINDS = ("subsistence", "temporary", "medical")
"""``social_assistance`` form ``kind``: 低保, 临时救助, 医疗救助."""

SUBSISTENCE_LINE_YUAN = 1245
"""Monthly income per person (yuan) at or under which social assistance is granted."""

_BY_CODE = {service.code: service for service in SERVICES}


def service(code: str) -> Service | None:
    """The service with ``code``, or None."""
    return _BY_CODE.get(code)


def service_codes() -> tuple[str, ...]:
    """Every service code, in catalog order."""
    return tuple(_BY_CODE)


def search(query: str | None) -> list[Service]:
    """Services whose code, name or keywords contain ``query`` (all for an empty query)."""
    if not query or not query.strip():
        return list(SERVICES)
    needle = query.strip().lower()
    return [
        s
        for s in SERVICES
        if needle in s.code or needle in s.name or any(needle in k for k in s.keywords)
    ]
