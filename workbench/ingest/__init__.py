"""Reading and importing CRM export files: the import's public face.

Callers use ``from workbench import ingest`` and the names below. Inside:

* :mod:`.read` reads files (CSV/TSV with any delimiter, Excel, Parquet, JSON
  trees), decodes and sniffs them; it never touches the database;
* :mod:`.inputs` collects files, folders and zip archives;
* :mod:`.sources` holds the CRM header dictionaries and recognises a file's CRM
  and table; :mod:`.mapping` maps a file's columns, by dictionary or by hand;
* :mod:`.proposal` proposes files before anything is written;
* :mod:`.pipeline` drives the import: it hands the recognised files to
  :mod:`workbench.store`, which stages, parses, checks and upserts them in one
  write transaction (this package holds no SQL); :mod:`.checks` turns the
  store's checks into problems (:mod:`.problems` makes them, each with a stable
  code; :mod:`.summary` orders and counts them by it; :mod:`.reporting_lines`
  leaves out reporting lines that leave the account or loop). Errors reject the
  whole import; warnings are imported and reported;
* :mod:`.vendor_shapes` turns vendor specifics into plain columns before
  staging (HubSpot durations in milliseconds, several IDs in one cell);
* :mod:`.surveys` reads NPS survey exports.
"""

from workbench.ingest import summary
from workbench.ingest.inputs import LARGE_FILE_BYTES, collect_inputs
from workbench.ingest.mapping import mapping_from_table, mapping_table, recognise_file
from workbench.ingest.model import (
    ColumnMapping,
    DateOrder,
    ImportReport,
    ProgressCallback,
    RecognisedFile,
    counts_frame,
    files_frame,
    header_signature,
    markdown_safe,
    plan_frame,
    problems_frame,
    readable_problems,
)
from workbench.ingest.pipeline import (
    ONE_PASS_MEMORY_PER_FILE_BYTE,
    import_files,
    large_import_memory_limit,
)
from workbench.ingest.problems import problem_text, refusal_text
from workbench.ingest.proposal import propose_files
from workbench.ingest.read import (
    DELIMITERS,
    ENCODING_CHOICES,
    EXCEL_SUFFIXES,
    JSON_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_FILE_ENV_VAR,
    MAX_ZIP_TOTAL_BYTES,
    PARQUET_SUFFIXES,
    TEXT_SUFFIXES,
    TableFile,
    check_size,
    decode_text,
    max_file_bytes,
    read_table,
    read_table_file,
    safe_file_name,
    sniff_delimiter,
)

__all__ = [
    "DELIMITERS",
    "ENCODING_CHOICES",
    "EXCEL_SUFFIXES",
    "JSON_SUFFIXES",
    "LARGE_FILE_BYTES",
    "MAX_FILE_BYTES",
    "MAX_FILE_ENV_VAR",
    "MAX_ZIP_TOTAL_BYTES",
    "ONE_PASS_MEMORY_PER_FILE_BYTE",
    "PARQUET_SUFFIXES",
    "TEXT_SUFFIXES",
    "ColumnMapping",
    "DateOrder",
    "ImportReport",
    "ProgressCallback",
    "RecognisedFile",
    "TableFile",
    "check_size",
    "collect_inputs",
    "counts_frame",
    "decode_text",
    "files_frame",
    "header_signature",
    "import_files",
    "large_import_memory_limit",
    "mapping_from_table",
    "mapping_table",
    "markdown_safe",
    "max_file_bytes",
    "plan_frame",
    "problem_text",
    "problems_frame",
    "propose_files",
    "read_table",
    "read_table_file",
    "readable_problems",
    "recognise_file",
    "refusal_text",
    "safe_file_name",
    "sniff_delimiter",
    "summary",
]
