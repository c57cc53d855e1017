"""Whether a secrets file is there, asked without parsing it.

Streamlit keeps parsed secrets, but with no secrets file (a local install) every
``st.secrets`` access looks for the files again under one lock that all sessions
share; with twenty sessions that lock and those look-ups were a visible share of
the server's time. Asking first whether any configured file exists is one
``stat`` per path.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st


def secrets_files() -> list[Path]:
    """Return the secrets files and folders Streamlit is configured to read."""
    return [Path(path) for path in st.get_option("secrets.files") or []]


def any_secrets_file() -> bool:
    """Return whether there are secrets to read: parsed or given already, or a file.

    Secrets given by code (``AppTest.secrets``, Streamlit's programmatic secrets)
    have no file; they count once Streamlit holds them.
    """
    if getattr(st.secrets, "_secrets", None) is not None:
        return True
    return any(path.exists() for path in secrets_files())
