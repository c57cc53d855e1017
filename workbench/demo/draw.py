"""Small random draws shared by the demo's tables: spans, names, attitudes, dates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from workbench import domain
from workbench.demo.vocabulary import (
    _EN_NAME_A,
    _EN_NAME_B,
    _EN_SUFFIX,
    _TW_GIVEN,
    _TW_NAME_A,
    _TW_NAME_B,
    _TW_SURNAMES,
    _WESTERN_FIRST,
    _WESTERN_LAST,
    _ZH_GIVEN,
    _ZH_NAME_A,
    _ZH_NAME_B,
    _ZH_SURNAMES,
)


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
