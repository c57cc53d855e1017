"""Account-planning workbench: buying centres, value segments, effort and plans.

The library under the Streamlit pages and the ``workbench`` command line. Layers
point one way: ``ingest → store → analytics (segment, network, effort, voice) →
plans``; only :mod:`workbench.store` talks to DuckDB and only :mod:`workbench.ui`
knows about Streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"
