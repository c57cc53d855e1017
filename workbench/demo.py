"""A deterministic demo portfolio that looks like an industrial supplier's.

Each account gets an *archetype* that drives its numbers, so that every value
segment and both relationship types occur under the default thresholds:

- ``strategic``: large, profitable, long-tenured, served across functions and
  executives, multi-year contract, joint planning (most valuable, partnership);
- ``growth``: a big wallet of which we hold little, growing year on year (most
  growable);
- ``overserved``: small, low-margin, spot buyers who nonetheless get many visits,
  demos and support calls (below zero, transactional, visibly over-served);
- ``steady``: mid-sized purchasing-led relationships (maintain, transactional);
- ``partner``: mid-sized accounts with partnership signals (maintain or valuable).

Everything comes from one seeded NumPy generator; the same options give the same
tables, row for row. Nothing here touches the database: :func:`write_demo` hands
the frames to :mod:`workbench.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from workbench import domain, store

if TYPE_CHECKING:
    from collections.abc import Callable

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


def generate(
    accounts: int = DEFAULT_ACCOUNTS,
    activities: int = DEFAULT_ACTIVITIES,
    *,
    contacts: int | None = None,
    sellers: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """Return the demo portfolio as one polars frame per table, ready for the store.

    Args:
        accounts: number of customer accounts.
        activities: number of activities (calls, visits, e-mails, ...) over three years.
        contacts: total customer contacts; default ``CONTACTS_PER_ACCOUNT`` per account.
        sellers: our own people; default 40, or one per 25 accounts when larger.
        seed: the random seed; the same arguments always give the same frames.
        progress: called with a short message as each table is built.
    """
    if accounts < 1 or activities < 0:
        raise ValueError("accounts must be at least 1 and activities not negative")
    say = progress or (lambda _message: None)
    rng = np.random.default_rng(seed)
    n_sellers = sellers or max(40, accounts // 25)
    n_contacts = contacts or accounts * CONTACTS_PER_ACCOUNT
    if n_contacts < accounts:
        raise ValueError("need at least one contact per account")

    say("sellers")
    sellers_frame = _sellers(rng, n_sellers)
    say("accounts")
    accounts_frame = _accounts(rng, accounts, sellers_frame)
    say("contacts")
    contacts_frame = _contacts(rng, accounts_frame, n_contacts)
    influences = _influences(rng, contacts_frame)
    say("opportunities")
    opportunities = _opportunities(rng, accounts_frame, sellers_frame)
    opportunity_contacts = _opportunity_contacts(rng, opportunities, contacts_frame)
    say("activities")
    activities_frame = _activities(
        rng, activities, accounts_frame, contacts_frame, sellers_frame
    )
    say("nps responses")
    nps = _nps(rng, accounts_frame, contacts_frame)
    return {
        "sellers": sellers_frame,
        "accounts": accounts_frame.drop(
            "archetype", "naming", "true_wallet", "our_share", "growth"
        ),
        "contacts": contacts_frame.drop("level", "naming"),
        "contact_influences": influences,
        "opportunities": opportunities,
        "opportunity_contacts": opportunity_contacts,
        "activities": activities_frame,
        "nps_responses": nps,
    }


def archetypes(
    accounts: int = DEFAULT_ACCOUNTS, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """Return the archetype the generator gave each account (for tests and docs)."""
    rng = np.random.default_rng(seed)
    sellers_frame = _sellers(rng, max(40, accounts // 25))
    return _accounts(rng, accounts, sellers_frame).select("account_id", "archetype")


def write_demo(
    con: store.Connection,
    accounts: int = DEFAULT_ACCOUNTS,
    activities: int = DEFAULT_ACTIVITIES,
    *,
    contacts: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Replace all CRM data in the database with the demo portfolio; return row counts."""
    frames = generate(
        accounts, activities, contacts=contacts, seed=seed, progress=progress
    )
    if progress:
        progress("writing to the database")
    with store.write_transaction(con) as cur:
        store.replace_data(cur, frames)
        store.set_meta(cur, "demo_seed", str(seed))
    return {table: frame.height for table, frame in frames.items()}


# --- tables -------------------------------------------------------------------


def _sellers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    shares = np.array([t[2] for t in _SELLER_TEAMS])
    counts = np.maximum(1, np.round(shares * n).astype(int))
    counts[0] += n - counts.sum()  # key account managers absorb rounding
    teams = np.repeat(np.arange(len(_SELLER_TEAMS)), counts)
    first = rng.integers(0, len(_WESTERN_FIRST), n)
    last = rng.integers(0, len(_WESTERN_LAST), n)
    names = [
        f"{_WESTERN_FIRST[f]} {_WESTERN_LAST[g]}"
        for f, g in zip(first, last, strict=True)
    ]
    return pl.DataFrame(
        {
            "seller_id": [f"S{i + 1:04d}" for i in range(n)],
            "name": names,
            "team": [_SELLER_TEAMS[t][0] for t in teams],
            "title": [_SELLER_TEAMS[t][1] for t in teams],
            "email": [
                f"{n_.lower().replace(' ', '.')}@supplier.example" for n_ in names
            ],
            "source": "demo",
        }
    ).with_columns(pl.col("seller_id").alias("source_id"))


def _accounts(rng: np.random.Generator, n: int, sellers: pl.DataFrame) -> pl.DataFrame:
    # Exact archetype counts (then shuffled) so small portfolios still hold each kind.
    counts = np.floor(_ARCHETYPE_SHARES * n).astype(int)
    for i in np.argsort(-(_ARCHETYPE_SHARES * n - counts))[: n - counts.sum()]:
        counts[i] += 1
    kinds = rng.permutation(np.repeat(np.arange(len(ARCHETYPES)), counts))
    country_weights = np.array([c[3] for c in _COUNTRIES], dtype=float)
    country_idx = rng.choice(
        len(_COUNTRIES), n, p=country_weights / country_weights.sum()
    )
    industries = rng.integers(0, len(_INDUSTRIES), n)

    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        style = _COUNTRIES[country_idx[i]][2]
        name = _company_name(rng, style)
        while name in seen:  # unique names: append a site name like real CRMs do
            name = f"{name} {_company_site(rng, style)}"
        seen.add(name)
        names.append(name)

    profile = [_PROFILES[ARCHETYPES[k]] for k in kinds]
    u = rng.random((n, 8))
    revenue = np.array(
        [_span(p.revenue_musd, x) for p, x in zip(profile, u[:, 0], strict=True)]
    )
    wallet_share = np.array(
        [
            _span(p.wallet_share_of_revenue, x)
            for p, x in zip(profile, u[:, 1], strict=True)
        ]
    )
    margin = np.array(
        [_span(p.margin_pct, x) for p, x in zip(profile, u[:, 2], strict=True)]
    )
    tenure = np.array(
        [_span(p.tenure_years, x) for p, x in zip(profile, u[:, 3], strict=True)]
    )
    annual_revenue = np.round(revenue * 1e6, -3)
    wallet = np.round(annual_revenue * wallet_share, -3)
    # Real CRMs are patchy: some wallets and margins are unknown.
    wallet_known = u[:, 4] > 0.12
    margin_known = u[:, 5] > 0.08
    employees = (
        np.round(annual_revenue / rng.uniform(180_000, 420_000, n)).astype(int) + 20
    )
    created = [DEMO_END - timedelta(days=int(t * 365.25)) for t in tenure]
    kam = sellers.filter(pl.col("team") == "Key Account Management")[
        "seller_id"
    ].to_list()
    owners = [kam[i] for i in rng.integers(0, len(kam), n)]
    contract = [
        p.contract_types[int(x * len(p.contract_types))]
        for p, x in zip(profile, rng.random(n), strict=True)
    ]
    our_share = np.array(
        [_span(p.our_share_of_wallet, x) for p, x in zip(profile, u[:, 6], strict=True)]
    )
    growth = np.array(
        [_span(p.growth_per_year, x) for p, x in zip(profile, u[:, 7], strict=True)]
    )
    # Consignment stock, dedicated logistics: about 3% of what we sell, where known.
    direct_cost = np.where(
        rng.random(n) < 0.3, np.round(wallet * our_share * 0.03, -2), np.nan
    )
    account_ids = [f"A{i + 1:05d}" for i in range(n)]
    # A few accounts are subsidiaries of a strategic account in the same region.
    parents: list[str | None] = [None] * n
    strategic = [i for i in range(n) if ARCHETYPES[kinds[i]] == "strategic"]
    for i in range(n):
        if strategic and ARCHETYPES[kinds[i]] == "steady" and rng.random() < 0.15:
            parent = strategic[int(rng.integers(0, len(strategic)))]
            if parent != i:
                parents[i] = account_ids[parent]
    return (
        pl.DataFrame(
            {
                "account_id": account_ids,
                "name": names,
                "industry": [_INDUSTRIES[i] for i in industries],
                "region": [_COUNTRIES[c][0] for c in country_idx],
                "country": [_COUNTRIES[c][1] for c in country_idx],
                "annual_revenue": annual_revenue,
                "employees": employees,
                "parent_account_id": parents,
                "owner_seller_id": owners,
                "wallet_estimate": np.where(wallet_known, wallet, np.nan),
                "gross_margin_pct": np.where(
                    margin_known, np.round(margin * 100, 1), np.nan
                ),
                "created_on": created,
                "source": "demo",
                "contract_type": contract,
                "direct_cost_annual": direct_cost,
                "archetype": [ARCHETYPES[k] for k in kinds],
                "naming": [_COUNTRIES[c][2] for c in country_idx],
                "true_wallet": wallet,
                "our_share": our_share,
                "growth": growth,
            },
            schema_overrides={"employees": pl.Int64},
        )
        .with_columns(
            pl.col("account_id").alias("source_id"),
            pl.col(
                "wallet_estimate", "gross_margin_pct", "direct_cost_annual"
            ).fill_nan(None),
        )
        .select(
            "account_id",
            "name",
            "industry",
            "region",
            "country",
            "annual_revenue",
            "employees",
            "parent_account_id",
            "owner_seller_id",
            "wallet_estimate",
            "gross_margin_pct",
            "created_on",
            "source",
            "source_id",
            "contract_type",
            "direct_cost_annual",
            "archetype",
            "naming",
            "true_wallet",
            "our_share",
            "growth",
        )
    )


def _contacts(
    rng: np.random.Generator, accounts: pl.DataFrame, total: int
) -> pl.DataFrame:
    factors = np.array([_PROFILES[a].contact_factor for a in accounts["archetype"]])
    raw = factors / factors.sum() * total
    per_account = np.maximum(3, np.floor(raw).astype(int))
    # hand out what rounding left over (or take back what the minimum added)
    diff = total - per_account.sum()
    order = np.argsort(-(raw - np.floor(raw)))
    step = 1 if diff > 0 else -1
    i = 0
    while diff != 0 and i < 10 * len(order) + abs(diff):
        j = order[i % len(order)]
        if step > 0 or per_account[j] > 3:
            per_account[j] += step
            diff -= step
        i += 1

    departments = [d for d, _ in _DEPARTMENTS]
    dept_weights = np.array([w for _, w in _DEPARTMENTS])
    rows: dict[str, list[object]] = {
        "contact_id": [],
        "account_id": [],
        "name": [],
        "title": [],
        "department": [],
        "reports_to_id": [],
        "buying_role": [],
        "influence": [],
        "attitude": [],
        "email": [],
        "phone": [],
        "level": [],
        "naming": [],
    }
    next_id = 1
    for account_id, archetype, naming, count in zip(
        accounts["account_id"],
        accounts["archetype"],
        accounts["naming"],
        per_account,
        strict=True,
    ):
        bias = _PROFILES[archetype].champion_bias
        domain = f"{account_id.lower()}.example.com"
        n_heads = int(min(len(departments), max(1, count // 5)))
        head_depts = list(
            rng.choice(
                len(departments),
                n_heads,
                replace=False,
                p=dept_weights / dept_weights.sum(),
            )
        )
        if 0 not in head_depts and count >= 4:  # every buying centre has procurement
            head_depts[-1] = 0
        ids = [f"C{next_id + k:07d}" for k in range(count)]
        next_id += count
        level = [1, *([2] * min(n_heads, count - 1))]
        dept_of = [_EXECUTIVE, *[departments[d] for d in head_depts][: count - 1]]
        parent: list[str | None] = [None] + [ids[0]] * (len(level) - 1)
        staff_depts = rng.choice(head_depts, count - len(level))
        for d in staff_depts:
            dept = departments[d]
            # report to someone in the department one level up, never deeper than 5
            candidates = [
                k for k in range(len(level)) if dept_of[k] == dept and level[k] < 5
            ]
            boss = (
                candidates[int(rng.integers(0, len(candidates)))] if candidates else 0
            )
            # a bias towards the upper levels keeps trees bushy rather than chain-like
            if candidates and rng.random() < 0.45:
                boss = min(candidates, key=lambda k: level[k])
            level.append(level[boss] + 1)
            dept_of.append(dept)
            parent.append(ids[boss])
        for k in range(count):
            lv = level[k]
            dept = dept_of[k]
            first, last, person = _person_name(rng, naming)
            if dept == _EXECUTIVE:
                title = (
                    "总经理"
                    if naming == "zh"
                    else "總經理"
                    if naming == "tw"
                    else "Chief Executive Officer"
                )
                role: str | None = "decider"
            else:
                titles = _TITLES_ZH[dept] if naming in {"zh", "tw"} else _TITLES[dept]
                title = titles[min(lv, 5) - 2]
                role = _ROLE_BY_DEPARTMENT[dept][min(lv, 5) - 2]
            if rng.random() < 0.12:
                role = None  # unknown in the CRM
            influence: int | None = int(np.clip(6 - lv + rng.integers(-1, 2), 1, 5))
            if rng.random() < 0.08:
                influence = None
            attitude = _attitude(rng, bias)
            rows["contact_id"].append(ids[k])
            rows["account_id"].append(account_id)
            rows["name"].append(person)
            rows["title"].append(title)
            rows["department"].append(dept)
            rows["reports_to_id"].append(parent[k])
            rows["buying_role"].append(role)
            rows["influence"].append(influence)
            rows["attitude"].append(attitude)
            rows["email"].append(f"{first}.{last}.{ids[k][-4:]}@{domain}".lower())
            rows["phone"].append(
                f"+{int(rng.integers(1, 99))} {int(rng.integers(100, 999))} {int(rng.integers(1_000_000, 9_999_999))}"
            )
            rows["level"].append(lv)
            rows["naming"].append(naming)
    return pl.DataFrame(
        rows,
        schema={
            "contact_id": pl.String,
            "account_id": pl.String,
            "name": pl.String,
            "title": pl.String,
            "department": pl.String,
            "reports_to_id": pl.String,
            "buying_role": pl.String,
            "influence": pl.Int8,
            "attitude": pl.String,
            "email": pl.String,
            "phone": pl.String,
            "level": pl.Int8,
            "naming": pl.String,
        },
    ).with_columns(
        pl.lit("demo").alias("source"), pl.col("contact_id").alias("source_id")
    )


def _influences(rng: np.random.Generator, contacts: pl.DataFrame) -> pl.DataFrame:
    # Informal influence: a trusted engineer or user whose opinion a decider or
    # approver elsewhere in the account listens to (roughly one link per 12 people).
    frm: list[str] = []
    to: list[str] = []
    strength: list[int] = []
    by_account = contacts.select(
        "account_id", "contact_id", "buying_role", "level"
    ).partition_by("account_id", maintain_order=True, as_dict=False)
    for people in by_account:
        ids = people["contact_id"].to_list()
        roles = people["buying_role"].to_list()
        targets = [
            i for i, r in enumerate(roles) if r in {"decider", "approver", "buyer"}
        ]
        sources = [
            i for i, r in enumerate(roles) if r in {"influencer", "user", "initiator"}
        ]
        if not targets or not sources:
            continue
        for _ in range(max(1, len(ids) // 12)):
            a = sources[int(rng.integers(0, len(sources)))]
            b = targets[int(rng.integers(0, len(targets)))]
            frm.append(ids[a])
            to.append(ids[b])
            strength.append(int(rng.integers(1, 4)))
    return pl.DataFrame(
        {
            "from_contact_id": frm,
            "to_contact_id": to,
            "strength": strength,
            "source": "demo",
        },
        schema={
            "from_contact_id": pl.String,
            "to_contact_id": pl.String,
            "strength": pl.Int8,
            "source": pl.String,
        },
    ).unique(["from_contact_id", "to_contact_id"], maintain_order=True)


def _opportunities(
    rng: np.random.Generator, accounts: pl.DataFrame, sellers: pl.DataFrame
) -> pl.DataFrame:
    start = DEMO_END - timedelta(days=365 * DEMO_YEARS)
    kam = sellers.filter(
        pl.col("team").is_in(["Key Account Management", "Technical Sales"])
    )["seller_id"].to_list()
    frames = []
    next_id = 1
    for row in accounts.iter_rows(named=True):
        growth = row["growth"]
        won_per_year_now = row["true_wallet"] * row["our_share"]
        deals_per_year = int(np.clip(won_per_year_now / 30_000, 6, 60))
        n = deals_per_year * DEMO_YEARS + int(
            rng.integers(2, 6)
        )  # plus a few open ones
        days = np.sort(rng.integers(0, 365 * DEMO_YEARS + 120, n))
        close = [start + timedelta(days=int(d)) for d in days]
        years_before_end = np.array([(DEMO_END - c).days / 365.25 for c in close])
        # Revenue this far back was smaller (or larger) by the growth rate.
        scale = np.power(1 + growth, -np.clip(years_before_end, 0, None))
        amount = np.round(
            won_per_year_now
            / deals_per_year
            * scale
            * rng.lognormal(0, 0.35, n)
            / 0.62,
            -2,
        )
        future = np.array([c > DEMO_END for c in close])
        is_closed = ~future & (rng.random(n) < 0.97)
        is_won = is_closed & (rng.random(n) < 0.62)
        stage = np.where(
            is_won,
            "Closed Won",
            np.where(
                is_closed, "Closed Lost", np.array(_STAGES_OPEN)[rng.integers(0, 4, n)]
            ),
        )
        owners = np.where(
            rng.random(n) < 0.7,
            row["owner_seller_id"],
            np.array(kam)[rng.integers(0, len(kam), n)],
        )
        ids = [f"O{next_id + k:07d}" for k in range(n)]
        next_id += n
        subjects = [
            "Framework renewal",
            "Spare parts",
            "Line upgrade",
            "Service contract",
            "Pilot order",
            "Retrofit",
        ]
        frames.append(
            pl.DataFrame(
                {
                    "opportunity_id": ids,
                    "account_id": row["account_id"],
                    "name": [
                        f"{subjects[int(i)]} {c.year}"
                        for i, c in zip(
                            rng.integers(0, len(subjects), n), close, strict=True
                        )
                    ],
                    "stage": stage,
                    "amount": amount,
                    "close_date": close,
                    "is_closed": is_closed,
                    "is_won": is_won,
                    "owner_seller_id": owners,
                    "created_on": [
                        c - timedelta(days=int(d))
                        for c, d in zip(close, rng.integers(20, 180, n), strict=True)
                    ],
                    "source": "demo",
                    "source_id": ids,
                }
            )
        )
    return pl.concat(frames)


def _opportunity_contacts(
    rng: np.random.Generator, opportunities: pl.DataFrame, contacts: pl.DataFrame
) -> pl.DataFrame:
    people = (
        contacts.filter(pl.col("level") <= 3)
        .group_by("account_id", maintain_order=True)
        .agg("contact_id")
    )
    lookup = dict(
        zip(people["account_id"].to_list(), people["contact_id"].to_list(), strict=True)
    )
    opp_ids: list[str] = []
    contact_ids: list[str] = []
    roles: list[str] = []
    primary: list[bool] = []
    for opp_id, account_id in zip(
        opportunities["opportunity_id"], opportunities["account_id"], strict=True
    ):
        candidates = lookup.get(account_id, [])
        if not candidates:
            continue
        k = min(len(candidates), int(rng.integers(1, 4)))
        for j, idx in enumerate(rng.choice(len(candidates), k, replace=False)):
            opp_ids.append(opp_id)
            contact_ids.append(candidates[int(idx)])
            roles.append(_OPP_ROLES[int(rng.integers(0, len(_OPP_ROLES)))])
            primary.append(j == 0)
    return pl.DataFrame(
        {
            "opportunity_id": opp_ids,
            "contact_id": contact_ids,
            "role": roles,
            "is_primary": primary,
        }
    )


def _activities(
    rng: np.random.Generator,
    n: int,
    accounts: pl.DataFrame,
    contacts: pl.DataFrame,
    sellers: pl.DataFrame,
) -> pl.DataFrame:
    if n == 0:
        return pl.DataFrame(schema=_ACTIVITY_SCHEMA)
    archetype = accounts["archetype"].to_list()
    profiles = [_PROFILES[a] for a in archetype]
    # Effort follows the archetype and, more weakly, the account's size.
    size = np.log10(accounts["annual_revenue"].to_numpy() + 1e6)
    weights = np.array([p.effort_weight for p in profiles]) * (size / size.mean())
    account_idx = np.sort(rng.choice(len(profiles), n, p=weights / weights.sum()))

    # Pick each activity's contact from its account, weighted by department so that
    # transactional accounts are mostly procurement and partnerships reach wide.
    contact_account = contacts["account_id"].to_numpy()
    account_pos = {a: i for i, a in enumerate(accounts["account_id"].to_list())}
    contact_acc_idx = np.array([account_pos[a] for a in contact_account])
    dept = contacts["department"].to_numpy()
    is_proc = dept == "Procurement"
    is_exec = (dept == _EXECUTIVE) | (contacts["level"].to_numpy() <= 2) & ~is_proc
    breadth = np.array([p.departments_engaged for p in profiles])[contact_acc_idx]
    exec_share = np.array([p.executive_effort for p in profiles])[contact_acc_idx]
    w = np.where(is_proc, 1 - breadth + 0.05, breadth)
    w = np.where(is_exec, exec_share * 6 + 0.01, w)
    # ... and some people are simply never touched: the dark corners of the map.
    w = w * (rng.random(len(w)) > 0.25)
    w = np.maximum(w, 1e-9)
    order = np.argsort(contact_acc_idx, kind="stable")
    w_sorted = w[order]
    cum = np.cumsum(w_sorted)
    counts = np.bincount(contact_acc_idx, minlength=len(profiles))
    ends = np.cumsum(counts)
    starts = ends - counts
    cum_start = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    cum_total = cum[ends - 1] - cum_start
    target = cum_start[account_idx] + rng.random(n) * cum_total[account_idx]
    pick = np.searchsorted(cum, target, side="right")
    pick = np.clip(pick, starts[account_idx], ends[account_idx] - 1)
    contact_idx = order[pick]

    # Kind of activity by archetype.
    kinds = sorted(_KIND_MINUTES)
    kind_p = np.array([[p.kinds.get(k, 0.0) for k in kinds] for p in profiles])
    kind_p = kind_p / kind_p.sum(axis=1, keepdims=True)
    kind_cum = np.cumsum(kind_p, axis=1)
    u = rng.random(n)
    kind_idx = np.minimum(
        (u[:, None] > kind_cum[account_idx]).sum(axis=1), len(kinds) - 1
    )
    base_minutes = np.array([_KIND_MINUTES[k] for k in kinds])[kind_idx]
    duration = np.round(base_minutes * rng.lognormal(0, 0.3, n) / 5) * 5
    duration = np.maximum(duration, 5.0)

    # Dates: three years, weighted towards the recent past for growing accounts.
    span_days = 365 * DEMO_YEARS
    growth = np.array([np.mean(p.growth_per_year) for p in profiles])[account_idx]
    day = np.floor(
        span_days * rng.random(n) ** (1 / (1 + np.clip(growth, -0.5, 1.0)))
    ).astype(int)
    start = np.datetime64(DEMO_END - timedelta(days=span_days - 1))
    activity_date = start + day.astype("timedelta64[D]")

    # Who did it: the account owner mostly, specialists by kind, executives for
    # executive contacts.
    owner_pos = {s: i for i, s in enumerate(sellers["seller_id"].to_list())}
    owner_idx = np.array([owner_pos[s] for s in accounts["owner_seller_id"]])[
        account_idx
    ]
    team = sellers["team"].to_numpy()
    pools = {t: np.flatnonzero(team == t) for t, _, _ in _SELLER_TEAMS}
    kind_name = np.array(kinds)[kind_idx]
    seller_idx = owner_idx.copy()
    r = rng.random(n)
    for kinds_for_team, team_name, share in (
        ({"demo", "workshop", "visit"}, "Technical Sales", 0.5),
        ({"support"}, "Customer Service", 0.8),
        ({"call", "email", "quote"}, "Inside Sales", 0.45),
    ):
        pool = pools[team_name]
        mask = np.isin(kind_name, list(kinds_for_team)) & (r < share)
        seller_idx[mask] = pool[rng.integers(0, len(pool), mask.sum())]
    exec_mask = is_exec[contact_idx] & (rng.random(n) < 0.35)
    pool = pools["Executive Sponsors"]
    seller_idx[exec_mask] = pool[rng.integers(0, len(pool), exec_mask.sum())]

    subjects = {
        "call": "Follow-up call",
        "email": "E-mail",
        "meeting": "Account meeting",
        "visit": "Site visit",
        "demo": "Product demo",
        "workshop": "Technical workshop",
        "joint_planning": "Joint business planning",
        "support": "Support case",
        "quote": "Quotation",
    }
    ids = pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(8)
    return (
        pl.DataFrame(
            {
                "account_id": accounts["account_id"].to_numpy()[account_idx],
                "contact_id": contacts["contact_id"].to_numpy()[contact_idx],
                "seller_id": sellers["seller_id"].to_numpy()[seller_idx],
                "kind": kind_name,
                "activity_date": activity_date,
                "duration_minutes": duration,
            }
        )
        .with_columns(
            pl.concat_str(pl.lit("ACT"), ids).alias("activity_id"),
            pl.col("activity_date").cast(pl.Date),
            pl.col("kind")
            .replace_strict(subjects, return_dtype=pl.String)
            .alias("subject"),
            pl.lit("demo").alias("source"),
        )
        # The ID is the source's own: stored once, as activity_id.
        .with_columns(pl.lit(None, dtype=pl.String).alias("source_id"))
        .select(list(_ACTIVITY_SCHEMA))
    )


_ACTIVITY_SCHEMA = {
    "activity_id": pl.String,
    "account_id": pl.String,
    "contact_id": pl.String,
    "seller_id": pl.String,
    "kind": pl.String,
    "activity_date": pl.Date,
    "duration_minutes": pl.Float64,
    "subject": pl.String,
    "source": pl.String,
    "source_id": pl.String,
}


def _nps(
    rng: np.random.Generator, accounts: pl.DataFrame, contacts: pl.DataFrame
) -> pl.DataFrame:
    # Base loyalty by archetype, then role effects: in some accounts users and
    # executives disagree sharply, the conflict an average hides.
    base = {
        "strategic": 8.6,
        "growth": 7.4,
        "overserved": 5.6,
        "steady": 7.0,
        "partner": 8.0,
    }
    by_account = contacts.filter(pl.col("buying_role").is_not_null()).partition_by(
        "account_id", as_dict=True, maintain_order=True
    )
    ids: list[str] = []
    acc: list[str] = []
    who: list[str] = []
    when: list[date] = []
    score: list[int] = []
    comment: list[str | None] = []
    next_id = 1
    for row in accounts.iter_rows(named=True):
        people = by_account.get((row["account_id"],))
        if people is None or people.height == 0:
            continue
        conflict = rng.random() < 0.3
        roles = people["buying_role"].to_list()
        person_ids = people["contact_id"].to_list()
        attitudes = people["attitude"].to_list()
        for q in range(NPS_QUARTERS):
            quarter_end = _quarter_end(DEMO_END, q)
            k = min(len(person_ids), int(rng.integers(3, 7)))
            for idx in rng.choice(len(person_ids), k, replace=False):
                role = roles[int(idx)]
                s = base[row["archetype"]] + rng.normal(0, 1.4)
                if conflict and role in {"user", "influencer"}:
                    s -= 3.0
                if conflict and role in {"decider", "approver"}:
                    s += 1.0
                s += {
                    "champion": 1.0,
                    "supporter": 0.5,
                    "skeptic": -1.0,
                    "blocker": -2.0,
                }.get(attitudes[int(idx)] or "", 0.0)
                value = int(np.clip(round(s), 0, 10))
                band = (
                    "promoter"
                    if value >= 9
                    else "passive"
                    if value >= 7
                    else "detractor"
                )
                ids.append(f"N{next_id:07d}")
                next_id += 1
                acc.append(row["account_id"])
                who.append(person_ids[int(idx)])
                when.append(quarter_end - timedelta(days=int(rng.integers(5, 60))))
                score.append(value)
                options = _NPS_COMMENTS[band]
                comment.append(
                    options[int(rng.integers(0, len(options)))]
                    if rng.random() < 0.6
                    else None
                )
    return pl.DataFrame(
        {
            "response_id": ids,
            "account_id": acc,
            "contact_id": who,
            "responded_on": when,
            "score": score,
            "comment": comment,
        },
        schema={
            "response_id": pl.String,
            "account_id": pl.String,
            "contact_id": pl.String,
            "responded_on": pl.Date,
            "score": pl.Int8,
            "comment": pl.String,
        },
    ).with_columns(
        pl.lit("demo").alias("source"), pl.col("response_id").alias("source_id")
    )


# --- small helpers ---------------------------------------------------------------


def _span(bounds: tuple[float, float], u: float) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * u


def _quarter_end(end: date, quarters_back: int) -> date:
    month = end.month - 3 * quarters_back
    year = end.year
    while month <= 0:
        month += 12
        year -= 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return next_month - timedelta(days=1)


def _attitude(rng: np.random.Generator, bias: float) -> str | None:
    if rng.random() < 0.15:
        return None  # nobody has judged this person yet
    weights = np.array([0.10, 0.25, 0.40, 0.17, 0.08])
    weights = weights * np.exp(bias * np.array([1.0, 0.5, 0.0, -0.5, -1.0]))
    return str(domain.ATTITUDES[int(rng.choice(5, p=weights / weights.sum()))])


def _person_name(rng: np.random.Generator, naming: str) -> tuple[str, str, str]:
    if naming == "zh":
        last = _ZH_SURNAMES[int(rng.integers(0, len(_ZH_SURNAMES)))]
        first = "".join(
            _ZH_GIVEN[int(i)]
            for i in rng.integers(0, len(_ZH_GIVEN), int(rng.integers(1, 3)))
        )
        return "contact", "zh", last + first
    if naming == "tw":
        last = _TW_SURNAMES[int(rng.integers(0, len(_TW_SURNAMES)))]
        first = "".join(_TW_GIVEN[int(i)] for i in rng.integers(0, len(_TW_GIVEN), 2))
        return "contact", "tw", last + first
    first = _WESTERN_FIRST[int(rng.integers(0, len(_WESTERN_FIRST)))]
    last = _WESTERN_LAST[int(rng.integers(0, len(_WESTERN_LAST)))]
    return _ascii(first), _ascii(last), f"{first} {last}"


def _ascii(text: str) -> str:
    table = str.maketrans(
        {"ü": "ue", "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ñ": "n"}
    )
    return text.translate(table)


def _company_name(rng: np.random.Generator, style: str) -> str:
    if style == "zh":
        a = _ZH_NAME_A[int(rng.integers(0, len(_ZH_NAME_A)))]
        b = _ZH_NAME_B[int(rng.integers(0, len(_ZH_NAME_B)))]
        return f"{a}{b}有限公司"
    if style == "tw":
        a = _TW_NAME_A[int(rng.integers(0, len(_TW_NAME_A)))]
        b = _TW_NAME_B[int(rng.integers(0, len(_TW_NAME_B)))]
        return f"{a}{b}股份有限公司"
    a = _EN_NAME_A[int(rng.integers(0, len(_EN_NAME_A)))]
    b = _EN_NAME_B[int(rng.integers(0, len(_EN_NAME_B)))]
    suffixes = _EN_SUFFIX["de" if style == "de" else "en"]
    return f"{a} {b} {suffixes[int(rng.integers(0, len(suffixes)))]}"


def _company_site(rng: np.random.Generator, style: str) -> str:
    if style in {"zh", "tw"}:
        return (
            f"第{int(rng.integers(2, 99))}厂"
            if style == "zh"
            else f"第{int(rng.integers(2, 99))}廠"
        )
    return f"Plant {int(rng.integers(2, 999))}"
