"""First openings: what a reader waits for once per account, or once per data.

A slider move reuses what the page keeps; these do not:

* Account plans, a move of the account picker to an account not opened before
  (its situation is worked out then: CRM figures, segment, effort, buying
  centre, voice);
* the first opening of the Account plans page after the Overview, of its
  leaders' overview, of the Voice page and of its Role conflicts, Detractors
  and Drivers tabs (each worked out once per data version and shared by every
  session).

Each is timed in a fresh process under AppTest, in the order a leader might go
(Overview, Account plans, a few accounts, the leaders' overview, the Voice
page's tabs): each opening reuses what an earlier one kept (the Detractors tab
the follow-ups the leaders' overview read), as it would for that leader. Each
is compared with the same on the 60-account demo: the work should follow the
account, not the portfolio. One sample each, except the account moves (median
of ``runs``).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from workbench import store

ROOT = Path(__file__).resolve().parent.parent
#: The Voice tabs timed at their first opening, with what each line adds.
VOICE_TABS = {
    "Role conflicts": " (the permutation tests)",
    "Detractors": "",
    "Drivers": "",
}
#: Moves of the account picker timed (their median is the line's figure).
ACCOUNT_MOVES = 5


def _tab_key(tab: str) -> str:
    return f"voice_{tab.lower().replace(' ', '_')}_first_s"


#: What :func:`time_openings` returns, with what each bench line says.
MEASURES = (
    (
        "plans_account_move_s",
        "Account plans: a move of the account picker to an account not opened "
        f"before (its situation worked out), median of {ACCOUNT_MOVES}",
    ),
    ("plans_first_s", "Account plans: the page's first opening, after the Overview"),
    ("plans_overview_first_s", "Account plans: the leaders' overview's first opening"),
    (
        "voice_first_s",
        "Voice of the customer: the page's first opening (its first tab, "
        "after the leaders' overview)",
    ),
    *(
        (_tab_key(tab), f"Voice of the customer: the {tab} tab's first opening{more}")
        for tab, more in VOICE_TABS.items()
    ),
)


def _timed(step: Any) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _checked(app: Any, what: str) -> None:
    if app.exception:
        raise RuntimeError(f"{what} failed: {app.exception[0].message}")


def time_openings(path: Path, runs: int = ACCOUNT_MOVES) -> dict[str, float]:
    """Return seconds of each first opening at the database ``path``."""
    from streamlit.testing.v1 import AppTest

    os.environ[store.DB_ENV_VAR] = str(path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    _checked(app, "the Overview")
    seconds: dict[str, float] = {
        "plans_first_s": _timed(lambda: app.switch_page("pages/plans.py").run())
    }
    _checked(app, "the Account plans page")
    accounts = app.selectbox(key="plan_account").options[1 : runs + 1]
    moves = []
    for account in accounts:
        moves.append(
            _timed(lambda a=account: app.selectbox(key="plan_account").select(a).run())
        )
        _checked(app, f"opening the plan of {account}")
    seconds["plans_account_move_s"] = statistics.median(moves)
    app.session_state["plans_tab"] = "Leaders' overview"
    seconds["plans_overview_first_s"] = _timed(app.run)
    _checked(app, "the leaders' overview")
    seconds["voice_first_s"] = _timed(lambda: app.switch_page("pages/voice.py").run())
    _checked(app, "the Voice page")
    for tab in VOICE_TABS:
        app.session_state["voice_tab"] = tab
        seconds[_tab_key(tab)] = _timed(app.run)
        _checked(app, f"the Voice page's {tab} tab")
    return seconds
