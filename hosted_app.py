"""The hosted entry point: ``streamlit run hosted_app.py`` (the container's command).

The same workbench as ``app.py``, served through Streamlit's ASGI app (``st.App``)
so that the server's own routes can be guarded too: ``/_stcore/metrics`` (sessions
and cache sizes, readable by anyone otherwise) answers 404. See docs/security.md.
"""

import streamlit as st
from starlette.middleware import Middleware

from workbench.app.hardening import ClosedRoutesMiddleware

app = st.App("app.py", middleware=[Middleware(ClosedRoutesMiddleware)])
