"""Reading files of every format and encoding into all-text frames."""

from __future__ import annotations

import io

import polars as pl
import pytest

from workbench import ingest
from workbench.errors import RejectedInputError


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("客户名称,联系人\n华为技术,张伟\n", "gbk"),
        ("客户名称,联系人\n华为技术,张伟\n", "gb18030"),
        ("客戶名稱,聯絡人\n鴻海精密,張偉\n", "big5"),
        ("客户名称,联系人\n华为技术,张伟\n", "utf-8-sig"),
        ("客户名称,联系人\n华为技术,张伟\n", "utf-8"),
        ("Name,City\nCrédito,Pébéo\n", "cp1252"),
        ("Name,City\nCrédito,Pébéo\n", "utf-16"),
    ],
)
def test_encodings_are_detected(text: str, encoding: str) -> None:
    frame = ingest.read_table_file("x.csv", text.encode(encoding))
    lines = [line.split(",") for line in text.strip().splitlines()]
    assert frame.columns == lines[0]
    assert frame.row(0) == tuple(lines[1])


def test_encoding_override_wins() -> None:
    data = "名字\n张伟\n".encode("gbk")
    assert ingest.read_table_file("x.csv", data, encoding="gbk")["名字"][0] == "张伟"
    with pytest.raises(RejectedInputError, match="cannot be read as utf-8"):
        ingest.read_table_file("x.csv", data, encoding="utf-8")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    text = delimiter.join(["Id", "Name", "Amount"]) + "\n"
    text += delimiter.join(["1", '"Acme, Inc."', '"1.200,00"']) + "\n"
    frame = ingest.read_table_file("x.txt", text.encode())
    assert frame.columns == ["Id", "Name", "Amount"]
    assert frame.row(0) == ("1", "Acme, Inc.", "1.200,00")


def test_cells_are_trimmed_and_empty_cells_null() -> None:
    frame = ingest.read_table_file("x.csv", b"a,b,c\n  x , ,\n")
    assert frame.row(0) == ("x", None, None)
    assert frame.schema == pl.Schema(dict.fromkeys("abc", pl.String))


def test_short_rows_are_padded_long_rows_rejected() -> None:
    frame = ingest.read_table_file("x.csv", b"a,b,c\n1,2\n")
    assert frame.row(0) == ("1", "2", None)
    with pytest.raises(
        RejectedInputError, match="row 2 has 4 fields but the header has 3"
    ):
        ingest.read_table_file("x.csv", b"a,b,c\n1,2,3\n1,2,3,4\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\r\n  \n", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b'a,b\n1,"unclosed\n2,3\n', "not valid CSV"),
        (b'{"records": 5}', "JSON must be"),
        (b"[1, 2]", "every JSON record must be an object"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_bad_files_are_rejected_with_a_message(data: bytes, message: str) -> None:
    name = "broken.json" if data.startswith((b"{", b"[")) else "broken.csv"
    with pytest.raises(RejectedInputError, match=message):
        ingest.read_table_file(name, data)


def test_blank_rows_inside_a_file_are_dropped_and_short_rows_padded() -> None:
    frame = ingest.read_table_file("x.csv", b"\n\na,b,c\n1,2,3\n,,\n\n4\n5,,6\n")
    assert frame.rows() == [("1", "2", "3"), ("4", None, None), ("5", None, "6")]


def test_control_characters_other_than_line_breaks_mark_a_file_binary() -> None:
    # More than max(8, 1 in 100) control characters of the sample; tabs, line
    # feeds, form feeds and carriage returns are text.
    line = "a,b\r\n" + "x" * 200 + ",y\t\f\n"
    assert not ingest.read.looks_binary(line + "\x0b" * 8)
    assert ingest.read.looks_binary(line + "\x0b\x01\x1f\x0e" * 2 + "\x08")
    assert not ingest.read.looks_binary(line + "\f\t\r" * 50)


def test_header_only_file_gives_no_rows() -> None:
    frame = ingest.read_table_file("x.csv", b"Id,Name\n")
    assert frame.columns == ["Id", "Name"]
    assert frame.height == 0


def test_over_size_is_refused() -> None:
    with pytest.raises(RejectedInputError, match="more than the limit"):
        ingest.check_size("big.csv", ingest.MAX_FILE_BYTES + 1)


def test_paths_in_file_names_are_dropped() -> None:
    assert ingest.safe_file_name("../../etc/passwd") == "passwd"
    assert ingest.safe_file_name("C:\\Users\\x\\Account.csv") == "Account.csv"
    assert ingest.safe_file_name("..") == "upload"


def test_excel_and_parquet_read_as_text() -> None:
    source = pl.DataFrame({"Id": [1, 2], "Name": ["Acme", "=1+1"]})
    buffer = io.BytesIO()
    source.write_excel(buffer)
    frame = ingest.read_table_file("Account.xlsx", buffer.getvalue())
    assert frame.columns == ["Id", "Name"]
    assert frame["Name"].to_list() == ["Acme", "=1+1"]
    buffer = io.BytesIO()
    source.write_parquet(buffer)
    frame = ingest.read_table_file("Account.parquet", buffer.getvalue())
    assert frame.schema == pl.Schema({"Id": pl.String, "Name": pl.String})


def test_salesforce_cli_tree_json() -> None:
    data = (
        b'{"records": [{"attributes": {"type": "Contact", "referenceId": "C1"},'
        b' "AccountId": "@A1", "LastName": "Wu"}]}'
    )
    table = ingest.read_table("Contacts.json", data)
    assert table.sobject == "Contact"
    assert table.frame.row(0, named=True) == {
        "Id": "C1",
        "AccountId": "A1",
        "LastName": "Wu",
    }


def test_truncated_utf16_is_rejected_not_a_crash() -> None:
    # Found by the property test: a UTF-16 byte order mark and half a character.
    with pytest.raises(RejectedInputError, match="UTF-16"):
        ingest.read_table_file("Account.csv", b'\xfe\xff"')
