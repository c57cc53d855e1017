"""Whether a deal is won, lost or open: its flags, its CRM's state, its stage's name.

A deal is won or lost by, in this order: its own won and closed flags
(Salesforce's ``IsWon`` and ``IsClosed``, HubSpot's ``Is Closed Won``, or
those HubSpot's stage table gives: :mod:`workbench.ingest.deal_stages`); its
CRM's state (Dynamics' ``statecode``: 0 open, 1 won, 2 lost, or the view's
``Status``: Open, Won, Lost); the name of its stage (``Closed Won``, 赢单 …:
``_import_stages``, from :data:`workbench.vocabulary.WON_STAGES` and
``LOST_STAGES``). A Dynamics opportunity closed as won keeps the pipeline step
it was in ("3-Propose"): read by its step alone, it was open. Neither: open,
and the import says so of each file that gives no flag
(:func:`import_open_stage_rows`).
"""

from __future__ import annotations

import polars as pl

from workbench.store._base import Connection, _frame

#: Dynamics 365's opportunity states by their code (``statecode``), as its
#: Dataverse and Web API exports give them; a view gives the label instead.
DYNAMICS_DEAL_STATES: dict[str, str] = {"0": "open", "1": "won", "2": "lost"}


def state_name(alias: str) -> str:
    """Return the SQL of a deal's state as a name ``_import_stages`` may know (lower-case)."""
    code = f"trim({alias}.state_code)"
    arms = " ".join(
        f"WHEN '{number}' THEN '{name}'"
        for number, name in DYNAMICS_DEAL_STATES.items()
    )
    return f"lower(CASE {code} {arms} ELSE {code} END)"


def read_as_open(alias: str) -> str:
    """Return the SQL condition of a deal read as open for want of anything saying otherwise.

    Neither a flag nor a state the workbench reads says whether it is won (a
    state it does not know, a view's "Active", says nothing), and it has no
    stage or one whose name the workbench knows as neither won nor lost. A
    stage the CRM holds as won under a name of its own ("Contract signed")
    reads so too, as do the deals of a file of won orders without a stage: the
    import names them.
    """
    known = "(SELECT value FROM _import_stages)"
    return (
        f"({alias}.is_won IS NULL AND {alias}.is_closed IS NULL "
        f"AND ({alias}.state_code IS NULL OR ({state_name(alias)} <> 'open' "
        f"AND {state_name(alias)} NOT IN {known})) "
        f"AND ({alias}.stage IS NULL OR lower({alias}.stage) NOT IN {known}))"
    )


def import_open_stage_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file the deals :func:`read_as_open`, and their most frequent stages.

    Columns ``_file``, ``rows`` and ``stages`` (a list of structs ``stage`` and
    ``rows``, the most frequent first, at most five; deals without a stage are
    counted in ``rows`` only). Deleted rows are left out, as the import leaves
    them.
    """
    if table != "opportunities":
        return pl.DataFrame(
            schema={
                "_file": pl.String,
                "rows": pl.Int64,
                "stages": pl.List(pl.Struct({"stage": pl.String, "rows": pl.Int64})),
            }
        )
    found: pl.DataFrame = _frame(
        cur.sql(
            f"""
            SELECT _file, sum(n)::BIGINT AS rows,
                   coalesce(list({{'stage': stage, 'rows': n}} ORDER BY n DESC, stage)
                       FILTER (WHERE stage IS NOT NULL), [])[1:5] AS stages
            FROM (
                SELECT _file, stage, count(*)::BIGINT AS n
                FROM _import_all_opportunities s
                WHERE NOT s._deleted AND {read_as_open("s")}
                GROUP BY ALL
            )
            GROUP BY _file ORDER BY _file
            """
        )
    )
    return found
