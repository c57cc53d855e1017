"""The Streamlit app's library: the only package that imports Streamlit.

``session`` (the shared database, the current user, hosted or local mode),
``sign_in`` (the hosted-mode gate), ``cached`` (the one cache decorator),
``reads`` (every cached read), ``actions`` (every write, through the Workbench),
``components`` (shared widgets), ``plan_editor`` and one module per screen hold
what the pages in ``pages/`` call; a page reads widgets, calls these, renders.
"""
