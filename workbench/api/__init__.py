"""The workbench from Python: one object over one database, for notebooks and scripts.

Everything the pages do is available here, returning polars frames, altair charts
and small dataclasses, so an analyst can work in Jupyter and a strategy team can
script its monthly refresh::

    from workbench import open_workbench

    with open_workbench("data/workbench.duckdb") as wb:
        segments = wb.segments(valuable_top_pct=15)   # one row per account
        wb.chart_segments(segments)                   # an altair chart
        wb.buying_centre("A00001")                    # the map, inline in Jupyter
        print(wb.plan("A00001").to_markdown())

Writes (imports, the demo, plan saves) are checked against the workbench's actor,
:data:`~workbench.domain.LOCAL_ACTOR` unless another is given, exactly as in the
app: a viewer's workbench reads everything and changes nothing. Each writing
method also takes ``actor=`` to act as someone else for one call.

DuckDB lets one process open a file at a time. ``open_workbench(path)`` holds the
file until :meth:`Workbench.close` (or the end of a ``with`` block): meanwhile the
app and commands wait (up to ``$WORKBENCH_LOCK_TIMEOUT`` seconds), so close it when
done. ``Workbench.on_file(path)`` opens the file for each method call only, as the
app does, and lets other processes take turns between calls.
"""

from workbench.api.people import Workbench, open_workbench
from workbench.api.results import (
    AccountPlan,
    BuyingCentreMap,
    EffortBy,
    ImportRejectedError,
    NpsBy,
    SurveyImport,
)

__all__ = [
    "AccountPlan",
    "BuyingCentreMap",
    "EffortBy",
    "ImportRejectedError",
    "NpsBy",
    "SurveyImport",
    "Workbench",
    "open_workbench",
]
