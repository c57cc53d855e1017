"""Role conflicts beyond noise: a permutation test within each account.

A role conflict is two buying roles of one account whose NPS differ. With a
handful of answers per role, gaps of 60 or 80 points arise by chance all the
time: shuffling the roles at random within each account of the demo flagged
about half as many accounts as the real roles did under the old rule (a gap
above a threshold). The rule here:

1. Only roles with at least ``min_responses`` answers (one per person, the latest)
   in the account take part; a thinner role can never be in a conflict.
2. The account's statistic is its **widest gap** between two qualifying roles (or
   between the two chosen sides, e.g. users against deciders).
3. Its p-value comes from a **permutation test**: the answers of the qualifying
   roles are shuffled between those roles (keeping each role's size) in batches of
   shuffles at once with numpy (one seeded generator, so the same data give the
   same result), and the widest gap is recomputed for every shuffle. The p-value is
   the share of shuffles whose widest gap is at least the observed one. Taking the
   widest gap in every shuffle accounts for having looked at every pair. The test
   is sequential (Besag and Clifford): it stops once 20 shuffles reach the
   observed gap, so an account far from a conflict costs tens of shuffles and one
   near the bar all of them.
4. Across the accounts tested, the **Benjamini–Hochberg** procedure keeps the
   expected share of false conflicts among those flagged at ``alpha`` (default
   5 %); when no account has a real conflict, the chance of flagging any is at most
   ``alpha``. The number of shuffles grows with the number of accounts tested so
   that the smallest attainable p-value can pass that bar.
5. A flagged conflict also needs a gap above ``gap_threshold`` points, a practical
   floor the user sets (a real but small difference may not be worth a workshop).

The measured false-positive rate on shuffled data is in ``docs/voice.md`` and
checked in ``tests/test_voice_uncertainty.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypedDict, Unpack

import numpy as np
import polars as pl

from workbench.analytics.voice.score import (
    DETRACTOR_MAX_SCORE,
    PROMOTER_MIN_SCORE,
    UNKNOWN_ROLE,
    summarise_nps,
)
from workbench.analytics.voice.uncertainty import (
    MIN_RESPONSES,
    one_answer_per_person,
    with_interval,
)
from workbench.analytics.voice.views import with_role_label

#: The expected share of false conflicts among those flagged (Benjamini–Hochberg).
CONFLICT_ALPHA = 0.05
#: The fewest and the most shuffles per account.
MIN_PERMUTATIONS = 1999
MAX_PERMUTATIONS = 19999
#: The generator's seed: the same answers always give the same flags.
CONFLICT_SEED = 20260401
#: A test stops once this many shuffles reach the observed gap (Besag and
#: Clifford's h). With twenty, a p-value that stops early is within about a fifth
#: of itself (one standard error, 1/√20), and an account with no conflict costs on
#: average h × (1 + ln(B / h)), about 160 shuffles, instead of B (up to 19,999).
ENOUGH_EXCEEDANCES = 20
#: The first batch of shuffles; each next one is four times larger.
_FIRST_BATCH = 64

_SIDE_COLUMNS = ("role", "nps", "nps_low", "nps_high", "responses")
#: The columns of a conflict, as the CLI and the page show them (``flagged`` last).
CONFLICT_COLUMNS = (
    "account_id",
    "account_name",
    "high_role",
    "high_nps",
    "high_nps_low",
    "high_nps_high",
    "high_responses",
    "low_role",
    "low_nps",
    "low_nps_low",
    "low_nps_high",
    "low_responses",
    "gap",
    "p_value",
    "q_value",
    "flagged",
)


def permutations_for(accounts_tested: int, alpha: float = CONFLICT_ALPHA) -> int:
    """Return how many shuffles let the smallest p-value pass the first BH bar.

    The smallest p-value a test of ``B`` shuffles can give is ``1 / (B + 1)``;
    Benjamini–Hochberg's strictest bar is ``alpha / m`` for ``m`` accounts.
    """
    needed = math.ceil(2 * max(accounts_tested, 1) / alpha)
    return int(min(max(needed, MIN_PERMUTATIONS), MAX_PERMUTATIONS))


def _widest_gaps(nps: np.ndarray, side_a: np.ndarray, side_b: np.ndarray) -> np.ndarray:
    """Return the widest gap per row of ``nps`` (rows × roles) between the sides."""
    inf = np.inf
    max_a = np.where(side_a, nps, -inf).max(axis=-1)
    min_a = np.where(side_a, nps, inf).min(axis=-1)
    max_b = np.where(side_b, nps, -inf).max(axis=-1)
    min_b = np.where(side_b, nps, inf).min(axis=-1)
    result: np.ndarray = np.maximum(max_a - min_b, max_b - min_a)
    return result


def permutation_p_value(
    values: np.ndarray,
    role_codes: np.ndarray,
    side_a: np.ndarray,
    side_b: np.ndarray,
    *,
    permutations: int,
    rng: np.random.Generator,
    enough_exceedances: int = ENOUGH_EXCEEDANCES,
) -> float:
    """Return the p-value of the widest gap between the sides' roles.

    Sequential (Besag and Clifford, 1991): shuffles are drawn in growing
    batches until ``enough_exceedances`` of them have a gap at least the
    observed one, after ``L`` shuffles (p = h / L), or until ``permutations``
    were drawn with fewer (p = (exceedances + 1) / (permutations + 1), the
    fixed test's value). Both are valid p-values; an account far from a
    conflict stops after tens of shuffles instead of thousands, and an account
    near the bar gets every shuffle, as before.

    Args:
        values: one per answer: +1 promoter, 0 passive, −1 detractor.
        role_codes: the answer's role, 0…k−1 (every role present).
        side_a: per role, whether it is on side a.
        side_b: per role, whether it is on side b (the same mask as ``side_a``
            compares every pair).
        permutations: the most shuffles.
        rng: the seeded generator.
        enough_exceedances: stop once this many shuffles reach the observed gap.
    """
    order = np.argsort(role_codes, kind="stable")
    ordered_values = values[order].astype(np.float64)
    sizes = np.bincount(role_codes, minlength=side_a.size).astype(np.float64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    observed_nps = 100.0 * np.add.reduceat(ordered_values, starts) / sizes
    observed = float(_widest_gaps(observed_nps[None, :], side_a, side_b)[0])
    drawn = at_least = 0
    batch = _FIRST_BATCH
    while drawn < permutations:
        size = min(batch, permutations - drawn)
        # A batch of shuffles at once: a random key per answer and row, sorted,
        # gives one permutation per row; role sizes stay fixed because positions
        # keep their role.
        shuffled = ordered_values[
            np.argsort(rng.random((size, ordered_values.size)), axis=1)
        ]
        shuffled_nps = 100.0 * np.add.reduceat(shuffled, starts, axis=1) / sizes
        reached = np.flatnonzero(
            _widest_gaps(shuffled_nps, side_a, side_b) >= observed - 1e-9
        )
        if at_least + reached.size >= enough_exceedances:
            # the shuffle that brought the count to enough: p = h / L
            last = drawn + int(reached[enough_exceedances - at_least - 1]) + 1
            return enough_exceedances / last
        at_least += reached.size
        drawn += size
        batch *= 4
    return (1 + at_least) / (permutations + 1)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (q-values), in input order."""
    m = p_values.size
    if m == 0:
        return p_values.astype(np.float64)
    order = np.argsort(p_values)
    ranked = p_values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty(m, dtype=np.float64)
    result[order] = adjusted
    return result


def _qualifying_answers(
    responses: pl.DataFrame,
    min_responses: int,
    roles_a: Sequence[str] | None,
    roles_b: Sequence[str] | None,
) -> pl.DataFrame:
    counted = with_role_label(one_answer_per_person(responses)).filter(
        pl.col("role") != UNKNOWN_ROLE
    )
    if roles_a is not None and roles_b is not None:
        counted = counted.filter(pl.col("role").is_in([*roles_a, *roles_b]))
    return counted.filter(
        pl.len().over(["account_id", "role"]) >= min_responses
    ).with_columns(
        pl.when(pl.col("score") >= PROMOTER_MIN_SCORE)
        .then(1)
        .when(pl.col("score") <= DETRACTOR_MAX_SCORE)
        .then(-1)
        .otherwise(0)
        .cast(pl.Int8)
        .alias("value")
    )


def _observed_pairs(
    per_role: pl.DataFrame,
    roles_a: Sequence[str] | None,
    roles_b: Sequence[str] | None,
) -> pl.DataFrame:
    """Return each account's widest pair (high side, low side) among its roles."""
    side = per_role.select("account_id", "account_name", *_SIDE_COLUMNS)
    pairs = side.join(side, on=["account_id", "account_name"], suffix="_other").filter(
        (pl.col("role") != pl.col("role_other"))
        & (pl.col("nps") >= pl.col("nps_other"))
    )
    if roles_a is not None and roles_b is not None:
        a, b = list(roles_a), list(roles_b)
        pairs = pairs.filter(
            (pl.col("role").is_in(a) & pl.col("role_other").is_in(b))
            | (pl.col("role").is_in(b) & pl.col("role_other").is_in(a))
        )
    renamed = {c: f"high_{c}" for c in _SIDE_COLUMNS} | {
        f"{c}_other": f"low_{c}" for c in _SIDE_COLUMNS
    }
    renamed["role"], renamed["role_other"] = "high_role", "low_role"
    return (
        pairs.rename(renamed)
        .with_columns((pl.col("high_nps") - pl.col("low_nps")).alias("gap"))
        .sort(
            ["account_id", "gap", "high_role", "low_role"],
            descending=[False, True, False, False],
        )
        .unique("account_id", keep="first", maintain_order=True)
    )


def role_conflict_tests(
    responses: pl.DataFrame,
    *,
    min_responses: int = MIN_RESPONSES,
    roles_a: Sequence[str] | None = None,
    roles_b: Sequence[str] | None = None,
    alpha: float = CONFLICT_ALPHA,
    permutations: int | None = None,
    seed: int = CONFLICT_SEED,
) -> pl.DataFrame:
    """Return every account with two qualifying roles, its widest gap and its test.

    Args:
        responses: needs ``account_id``, ``account_name``, ``contact_id``,
            ``buying_role``, ``responded_on``, ``score`` (one period's answers;
            duplicates per person are removed here).
        min_responses: answers a role needs in the account to take part.
        roles_a: with ``roles_b``, compare only roles of one side against the
            other's.
        roles_b: the other side.
        alpha: Benjamini–Hochberg's false discovery rate.
        permutations: shuffles per account (default: :func:`permutations_for`).
        seed: the generator's seed.

    Returns:
        One row per account tested: the high and low role with their NPS,
        interval and answers, ``gap``, ``p_value``, ``q_value`` and ``flagged``
        (``q_value`` ≤ ``alpha``); flagged first, then widest gap.
    """
    answers = _qualifying_answers(responses, min_responses, roles_a, roles_b)
    per_role = with_interval(
        summarise_nps(answers, ["account_id", "account_name", "role"]),
        min_responses=min_responses,
    )
    observed = _observed_pairs(per_role, roles_a, roles_b)
    if observed.height == 0:
        return _empty_result()
    # Each account's answers in one block, its roles coded 0…k−1 in name order
    # (ties in value need no order: equal answers are interchangeable), so the
    # loop below only slices arrays: one numpy test per account, not per answer.
    tested = (
        answers.join(observed.select("account_id"), on="account_id", how="semi")
        .sort("account_id", "role", "value")
        .with_columns(
            (pl.col("role").rank("dense").over("account_id") - 1)
            .cast(pl.Int64)
            .alias("role_code")
        )
    )
    blocks = tested.group_by("account_id", maintain_order=True).len()
    ends = blocks["len"].cum_sum().to_numpy()
    values = tested["value"].to_numpy()
    codes = tested["role_code"].to_numpy()
    on_a, on_b = _side_flags(tested, roles_a, roles_b)
    shuffles = permutations or permutations_for(observed.height, alpha)
    rng = np.random.default_rng(seed)
    p_values: dict[str, float] = {}
    start = 0
    for account_id, end in zip(blocks["account_id"].to_list(), ends, strict=True):
        block_codes = codes[start:end]
        # the first answer of each role carries that role's side
        firsts = start + np.flatnonzero(np.diff(block_codes, prepend=-1))
        p_values[str(account_id)] = permutation_p_value(
            values[start:end],
            block_codes,
            on_a[firsts],
            on_b[firsts],
            permutations=shuffles,
            rng=rng,
        )
        start = end
    p = pl.DataFrame({"account_id": list(p_values), "p_value": list(p_values.values())})
    q = benjamini_hochberg(p["p_value"].to_numpy())
    p = p.with_columns(pl.Series("q_value", q))
    return (
        observed.join(p, on="account_id", how="left")
        .with_columns((pl.col("q_value") <= alpha).alias("flagged"))
        .select(CONFLICT_COLUMNS)
        .sort(["flagged", "gap", "account_id"], descending=[True, True, False])
    )


def _side_flags(
    answers: pl.DataFrame,
    roles_a: Sequence[str] | None,
    roles_b: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return per answer whether its role is on side a and on side b."""
    if roles_a is None or roles_b is None:
        every = np.ones(answers.height, dtype=bool)
        return every, every
    return (
        answers["role"].is_in(list(roles_a)).to_numpy(),
        answers["role"].is_in(list(roles_b)).to_numpy(),
    )


def _empty_result() -> pl.DataFrame:
    schema: dict[str, pl.DataType | type[pl.DataType]] = {}
    for column in CONFLICT_COLUMNS:
        if column in ("account_id", "account_name", "high_role", "low_role"):
            schema[column] = pl.String
        elif column.endswith("responses"):
            schema[column] = pl.Int64
        elif column == "flagged":
            schema[column] = pl.Boolean
        else:
            schema[column] = pl.Float64
    return pl.DataFrame(schema=schema)


class ConflictTest(TypedDict, total=False):
    """How :func:`role_conflict_tests` tests: its keyword arguments, each optional."""

    min_responses: int
    roles_a: Sequence[str] | None
    roles_b: Sequence[str] | None
    alpha: float
    permutations: int | None
    seed: int


def role_conflicts(
    responses: pl.DataFrame, *, gap_threshold: float, **test: Unpack[ConflictTest]
) -> pl.DataFrame:
    """Return the accounts whose widest role gap is beyond chance and above a floor.

    The rule is :func:`role_conflict_tests`'s (permutation test within the
    account, Benjamini–Hochberg across accounts; ``test`` takes its keyword
    arguments and defaults), plus a gap strictly above ``gap_threshold`` points.
    Each account appears once, with its widest gap.

    Returns:
        ``account_id``, ``account_name``, the high and the low role with their
        ``nps``, ``nps_low``, ``nps_high`` and ``responses``, ``gap``,
        ``p_value``, ``q_value`` and ``flagged``; widest gap first.
    """
    tested = role_conflict_tests(responses, **test)
    return tested.filter(pl.col("flagged") & (pl.col("gap") > gap_threshold)).sort(
        ["gap", "account_id"], descending=[True, False]
    )
