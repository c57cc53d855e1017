import streamlit as st

from workbench.app.language import _, apply_language
from workbench.app.screens import import_data as screen

# The language first: a page can run without app.py (a direct URL, a test).
apply_language()

st.title(_("Import"))
st.caption(
    _(
        "Load the files your CRM gives you: Salesforce (Data Export / Data Loader "
        "CSVs, report exports, CLI JSON trees, or the whole export as a .zip), "
        "HubSpot, Dynamics 365, Chinese CRMs (GBK, GB18030, Big5 or UTF-8), or any "
        "CSV, Excel or Parquet file. Nothing changes until you commit, and a commit "
        "with any error changes nothing at all."
    )
)

can_import = screen.may_import()
if can_import:
    upload = screen.upload_form()
    if upload.files:
        review = screen.review_mappings(upload)
        report = screen.check(upload, review.mappings)
        screen.recognised_files(review, report)
        screen.report_and_commit(upload, review.mappings, report)
screen.currency_setting(can_import)
screen.past_imports(can_import)
