"""Analytics: pure functions over polars frames (segment, effort, voice, network).

Nothing in this package opens the database or knows about Streamlit: callers read
the store (see :mod:`workbench.readers`) and pass frames in.
"""
