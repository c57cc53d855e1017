"""The demo's buying centres: people, reporting lines and informal influence."""

from __future__ import annotations

import numpy as np
import polars as pl

from workbench.demo.draw import (
    _attitude,
    _person_name,
)
from workbench.demo.vocabulary import (
    _DEPARTMENTS,
    _EXECUTIVE,
    _PROFILES,
    _ROLE_BY_DEPARTMENT,
    _TITLES,
    _TITLES_ZH,
)

#: The contacts frame as built; level and naming are the generator's own.
_CONTACT_SCHEMA = {
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
}


def _contacts(
    rng: np.random.Generator, accounts: pl.DataFrame, total: int
) -> pl.DataFrame:
    per_account = _contacts_per_account(accounts, total)

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
        email_domain = f"{account_id.lower()}.example.com"
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
            title, role = _title_and_role(naming, dept, lv)
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
            rows["email"].append(f"{first}.{last}.{ids[k][-4:]}@{email_domain}".lower())
            rows["phone"].append(
                f"+{int(rng.integers(1, 99))} {int(rng.integers(100, 999))} {int(rng.integers(1_000_000, 9_999_999))}"
            )
            rows["level"].append(lv)
            rows["naming"].append(naming)
    return pl.DataFrame(rows, schema=_CONTACT_SCHEMA).with_columns(
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


def _contacts_per_account(accounts: pl.DataFrame, total: int) -> np.ndarray:
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
    counts: np.ndarray = per_account
    return counts


def _title_and_role(naming: str, dept: str, level: int) -> tuple[str, str | None]:
    if dept == _EXECUTIVE:
        chief = {"zh": "总经理", "tw": "總經理"}.get(naming, "Chief Executive Officer")
        return chief, "decider"
    titles = _TITLES_ZH[dept] if naming in {"zh", "tw"} else _TITLES[dept]
    return titles[min(level, 5) - 2], _ROLE_BY_DEPARTMENT[dept][min(level, 5) - 2]
