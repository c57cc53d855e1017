"""Account-planning workbench: buying centres, value segments, effort and plans.

The library under the Streamlit pages and the ``workbench`` command line. Layers
point one way: ``ingest → store → analytics (segment, network, effort, voice) →
plans``; only :mod:`workbench.store` talks to DuckDB and only :mod:`workbench.app`
knows about Streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.api import open_workbench

__all__ = ["__version__", "open_workbench"]


def __getattr__(name: str) -> Any:
    # ``from workbench import open_workbench`` loads the whole library on first use
    # only, so ``import workbench.store`` (the command line, the app) stays light.
    if name == "open_workbench":
        from workbench.api import open_workbench

        return open_workbench
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
