"""The demo's vocabularies: archetype profiles, names, titles, departments, teams.

Data tables only; the generator in the sibling modules draws from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DEFAULT_SEED = 20_240_601
DEFAULT_ACCOUNTS = 60
DEFAULT_ACTIVITIES = 50_000
#: Contacts per account when no total is asked for (60 accounts → about 2,500).
CONTACTS_PER_ACCOUNT = 42
#: The demo's last day: every date in it falls in the three years up to here.
DEMO_END = date(2026, 9, 30)
DEMO_YEARS = 3
NPS_QUARTERS = 8

ARCHETYPES = ("strategic", "growth", "overserved", "steady", "partner")
# Share of accounts per archetype, in ARCHETYPES order.
_ARCHETYPE_SHARES = np.array([0.15, 0.20, 0.15, 0.35, 0.15])


@dataclass(frozen=True)
class _Profile:
    """What an archetype looks like; ranges are (low, high) drawn uniformly."""

    revenue_musd: tuple[float, float]  # the customer's own annual revenue, million USD
    wallet_share_of_revenue: tuple[float, float]  # our category's spend / their revenue
    our_share_of_wallet: tuple[float, float]  # what we win of that spend
    margin_pct: tuple[float, float]
    growth_per_year: tuple[float, float]
    tenure_years: tuple[float, float]
    contact_factor: float  # contacts relative to the average account
    effort_weight: float  # activities relative to the average account
    departments_engaged: float  # share of non-procurement effort
    executive_effort: float  # share of effort with executives
    champion_bias: float  # shifts attitudes towards champions (+) or blockers (-)
    contract_types: tuple[str, ...]
    kinds: dict[str, float]


_PROFILES: dict[str, _Profile] = {
    "strategic": _Profile(
        (3_000, 25_000),
        (0.0015, 0.003),
        (0.35, 0.6),
        (0.30, 0.42),
        (0.02, 0.10),
        (9, 18),
        1.6,
        1.5,
        0.75,
        0.12,
        0.8,
        ("multi_year", "framework"),
        {
            "meeting": 3,
            "visit": 2,
            "workshop": 1.5,
            "joint_planning": 1.5,
            "call": 3,
            "email": 3,
            "demo": 0.8,
            "support": 1.5,
            "quote": 1,
        },
    ),
    "growth": _Profile(
        (2_000, 20_000),
        (0.002, 0.004),
        (0.03, 0.09),
        (0.22, 0.34),
        (0.25, 0.45),
        (1, 5),
        1.2,
        0.8,
        0.5,
        0.05,
        0.2,
        ("framework", "spot"),
        {
            "meeting": 2,
            "visit": 1.2,
            "demo": 1.5,
            "call": 3,
            "email": 3,
            "quote": 2,
            "workshop": 0.5,
            "support": 0.7,
        },
    ),
    "overserved": _Profile(
        (8, 60),
        (0.002, 0.006),
        (0.3, 0.6),
        (0.08, 0.15),
        (-0.15, 0.02),
        (2, 8),
        0.6,
        1.8,
        0.55,
        0.10,
        -0.3,
        ("spot",),
        {
            "visit": 3,
            "demo": 2,
            "support": 4,
            "call": 4,
            "email": 3,
            "meeting": 2,
            "quote": 2,
            "workshop": 0.6,
        },
    ),
    "steady": _Profile(
        (150, 2_000),
        (0.002, 0.004),
        (0.15, 0.35),
        (0.20, 0.30),
        (-0.03, 0.06),
        (3, 12),
        0.8,
        0.7,
        0.15,
        0.01,
        0.0,
        ("framework", "spot"),
        {"call": 4, "email": 4, "quote": 3, "meeting": 1, "support": 1.2, "visit": 0.4},
    ),
    "partner": _Profile(
        (500, 4_000),
        (0.002, 0.004),
        (0.3, 0.5),
        (0.24, 0.34),
        (0.03, 0.12),
        (6, 15),
        1.1,
        0.9,
        0.65,
        0.08,
        0.5,
        ("multi_year", "framework"),
        {
            "meeting": 3,
            "visit": 1.5,
            "joint_planning": 1.2,
            "workshop": 1,
            "call": 3,
            "email": 3,
            "support": 1,
            "quote": 1,
        },
    ),
}

_KIND_MINUTES = {  # typical duration (minutes) of each kind of activity
    "call": 20,
    "email": 6,
    "meeting": 60,
    "visit": 180,
    "demo": 90,
    "workshop": 240,
    "joint_planning": 180,
    "support": 35,
    "quote": 25,
}

_INDUSTRIES = (
    "Automotive",
    "Electronics",
    "Industrial Machinery",
    "Chemicals",
    "Food & Beverage",
    "Energy & Utilities",
    "Pharmaceuticals",
    "Aerospace",
    "Construction",
    "Packaging",
)
# (region, country, naming style, weight)
_COUNTRIES = (
    ("EMEA", "Germany", "de", 3),
    ("EMEA", "France", "en", 1.5),
    ("EMEA", "Italy", "en", 1),
    ("EMEA", "United Kingdom", "en", 1.5),
    ("EMEA", "Sweden", "en", 0.7),
    ("Americas", "United States", "en", 3.5),
    ("Americas", "Mexico", "en", 1),
    ("Americas", "Brazil", "en", 1),
    ("Greater China", "China", "zh", 3),
    ("Greater China", "Taiwan", "tw", 1.5),
    ("APAC", "Japan", "en", 1.2),
    ("APAC", "South Korea", "en", 0.8),
    ("APAC", "India", "en", 1),
)
_DEPARTMENTS = (
    # (department, weight among staff, typical roles)
    ("Procurement", 1.4),
    ("Engineering", 1.6),
    ("Production", 1.6),
    ("Maintenance", 1.0),
    ("Quality", 1.0),
    ("R&D", 0.9),
    ("Finance", 0.6),
    ("IT", 0.6),
    ("Legal", 0.3),
    ("Logistics", 0.7),
)
_EXECUTIVE = "Executive"

_WESTERN_FIRST = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Frank",
    "Greta",
    "Hannah",
    "Ivan",
    "Julia",
    "Karl",
    "Laura",
    "Marco",
    "Nina",
    "Oliver",
    "Paula",
    "Rafael",
    "Sofia",
    "Tom",
    "Ute",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
    "Lukas",
    "Emma",
    "Noah",
    "Mia",
    "Lea",
    "James",
    "Olivia",
    "Lucas",
    "Chloe",
    "Mateo",
    "Isabel",
    "Hiro",
    "Yuki",
    "Arjun",
    "Priya",
)
_WESTERN_LAST = (
    "Schmidt",
    "Müller",
    "Rossi",
    "Dubois",
    "Smith",
    "Johnson",
    "García",
    "Silva",
    "Andersson",
    "Kowalski",
    "Novak",
    "Weber",
    "Fischer",
    "Bauer",
    "Martin",
    "Bernard",
    "Brown",
    "Miller",
    "Lopez",
    "Hernández",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Patel",
    "Sharma",
    "Moreau",
    "Conti",
    "Becker",
    "Wagner",
    "Taylor",
    "Clarke",
    "Ortiz",
    "Costa",
)
_ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_TW_SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
_ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉"
_TW_GIVEN = "志明淑芬家豪怡君俊傑雅婷建宏美玲冠宇佳穎承恩欣怡宗翰"

_EN_NAME_A = (
    "Nord",
    "Alpen",
    "Rhein",
    "Atlas",
    "Vertex",
    "Summit",
    "Keystone",
    "Pioneer",
    "Meridian",
    "Orion",
    "Helix",
    "Granite",
    "Cascade",
    "Falcon",
    "Titan",
    "Aurora",
    "Beacon",
    "Crescent",
    "Delta",
    "Evergreen",
    "Frontier",
    "Harbor",
    "Ironwood",
    "Juniper",
)
_EN_NAME_B = (
    "Steel",
    "Motion",
    "Polymers",
    "Dynamics",
    "Precision",
    "Foods",
    "Power",
    "Pharma",
    "Aero",
    "Systems",
    "Components",
    "Automation",
    "Materials",
    "Packaging",
    "Energy",
    "Robotics",
    "Tooling",
    "Fluidics",
)
_EN_SUFFIX = {
    "de": ("GmbH", "AG", "Werke GmbH"),
    "en": ("Inc.", "Ltd.", "Group", "Corp.", "S.A."),
}
_ZH_NAME_A = (
    "华东",
    "华南",
    "中联",
    "长江",
    "东方",
    "新华",
    "恒通",
    "宏达",
    "金桥",
    "瑞丰",
)
_ZH_NAME_B = (
    "精密机械",
    "汽车零部件",
    "电子科技",
    "化工",
    "能源",
    "食品",
    "自动化设备",
    "新材料",
)
_TW_NAME_A = ("台灣", "新竹", "台中", "高雄", "鴻昇", "長春", "聯華", "永豐")
_TW_NAME_B = ("精密電子", "半導體材料", "機械工業", "光電", "化學工業", "食品工業")

_TITLES = {
    # department -> titles by level 2..5
    "Procurement": (
        "Chief Procurement Officer",
        "Category Manager",
        "Senior Buyer",
        "Purchasing Assistant",
    ),
    "Engineering": (
        "VP Engineering",
        "Engineering Manager",
        "Process Engineer",
        "Technician",
    ),
    "Production": (
        "VP Operations",
        "Plant Manager",
        "Production Supervisor",
        "Line Operator",
    ),
    "Maintenance": (
        "Head of Maintenance",
        "Maintenance Manager",
        "Reliability Engineer",
        "Maintenance Technician",
    ),
    "Quality": ("Head of Quality", "Quality Manager", "Quality Engineer", "Inspector"),
    "R&D": ("CTO", "R&D Manager", "Development Engineer", "Lab Technician"),
    "Finance": ("CFO", "Controller", "Financial Analyst", "Accountant"),
    "IT": ("CIO", "IT Manager", "Systems Engineer", "IT Support"),
    "Legal": ("General Counsel", "Legal Manager", "Contract Specialist", "Paralegal"),
    "Logistics": (
        "Head of Supply Chain",
        "Logistics Manager",
        "Planner",
        "Warehouse Coordinator",
    ),
}
_TITLES_ZH = {
    "Procurement": ("采购总监", "品类经理", "高级采购员", "采购助理"),
    "Engineering": ("工程副总", "工程经理", "工艺工程师", "技术员"),
    "Production": ("运营副总", "厂长", "生产主管", "操作工"),
    "Maintenance": ("设备总监", "设备经理", "可靠性工程师", "维修技师"),
    "Quality": ("质量总监", "质量经理", "质量工程师", "检验员"),
    "R&D": ("技术总监", "研发经理", "开发工程师", "实验员"),
    "Finance": ("财务总监", "财务经理", "财务分析师", "会计"),
    "IT": ("信息总监", "IT经理", "系统工程师", "IT支持"),
    "Legal": ("法务总监", "法务经理", "合同专员", "法务助理"),
    "Logistics": ("供应链总监", "物流经理", "计划员", "仓储协调员"),
}
# Buying role by department at each level 2..5 (None: unknown, stays NULL).
_ROLE_BY_DEPARTMENT: dict[str, tuple[str | None, ...]] = {
    "Procurement": ("decider", "buyer", "buyer", "gatekeeper"),
    "Engineering": ("influencer", "influencer", "user", "user"),
    "Production": ("decider", "influencer", "user", "user"),
    "Maintenance": ("influencer", "user", "user", "user"),
    "Quality": ("approver", "influencer", "user", None),
    "R&D": ("initiator", "initiator", "influencer", "user"),
    "Finance": ("approver", "approver", None, None),
    "IT": ("approver", "gatekeeper", "gatekeeper", None),
    "Legal": ("approver", "approver", "gatekeeper", None),
    "Logistics": ("influencer", "user", "user", None),
}
_SELLER_TEAMS = (
    # team, title, share of sellers
    ("Key Account Management", "Key Account Manager", 0.3),
    ("Technical Sales", "Application Engineer", 0.25),
    ("Inside Sales", "Inside Sales Representative", 0.2),
    ("Customer Service", "Service Engineer", 0.15),
    ("Executive Sponsors", "Vice President", 0.1),
)
_STAGES_OPEN = ("Prospecting", "Qualification", "Proposal", "Negotiation")
_OPP_ROLES = (
    "Decision Maker",
    "Economic Buyer",
    "Technical Buyer",
    "Evaluator",
    "Influencer",
    "Business User",
)

_NPS_COMMENTS = {
    "promoter": (
        "Reliable deliveries and a team that knows our plant.",
        "Technical support solved our line issue within a day.",
        "Joint planning sessions helped us cut inventory.",
        "交货准时，技术支持很专业。",
        "服務團隊反應迅速，值得推薦。",
    ),
    "passive": (
        "Product is fine, pricing could be sharper.",
        "Good quality but lead times vary.",
        "Service is okay; we rarely see the account manager.",
        "产品还可以，价格偏高。",
        "品質穩定，但交期偶爾延遲。",
    ),
    "detractor": (
        "Too many visits, not enough answers on price.",
        "Invoices are hard to reconcile; procurement is unhappy.",
        "Our engineers were not consulted before the change.",
        "价格太高，响应速度慢。",
        "技術問題一直沒有解決。",
    ),
}
