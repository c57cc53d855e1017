"""Random and damaged CSV files: the importer never crashes and a rejection changes nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import RejectedInputError

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ANALYST = Actor(name="prop", role="analyst")
VALID = {
    "Account.csv": (FIXTURES / "salesforce" / "Account.csv").read_bytes(),
    "Contact.csv": (FIXTURES / "salesforce" / "Contact.csv").read_bytes(),
    "联系人.csv": (FIXTURES / "chinese_gbk" / "联系人.csv").read_bytes(),
    "contacts.csv": (FIXTURES / "hubspot_de" / "contacts.csv").read_bytes(),
}
NAMES = st.sampled_from(
    [*VALID, "../../etc/passwd", "x.xlsx", "data.json", "a.zip", "t.tsv", ""]
)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(list(VALID)))
    data = bytearray(VALID[name])
    for _ in range(draw(st.integers(0, 4))):
        action = draw(
            st.sampled_from(["cut", "insert", "flip", "quote", "delimiter", "dup"])
        )
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "quote":
            data[at:at] = b'"'
        elif action == "delimiter":
            data[at:at] = draw(
                st.sampled_from([b",", b";", b"\t", b"\n", b"\r\n", b",,,"])
            )
        elif action == "dup":
            data += data[: at + 1]
    return draw(st.one_of(st.just(name), NAMES)), bytes(data)


random_csv = st.tuples(
    NAMES,
    st.lists(
        st.lists(st.text(max_size=8), min_size=1, max_size=5), min_size=0, max_size=8
    ).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode(
            "utf-8", "surrogatepass"
        )
    ),
)


def _check(con: store.Connection, files: list[tuple[str, bytes]]) -> None:
    before = store.database_fingerprint(con)
    try:
        report = ingest.import_files(con, files, actor=ANALYST)
    except RejectedInputError:
        assert store.database_fingerprint(con) == before
        return
    if not report.ok:
        assert report.errors
        assert store.database_fingerprint(con) == before
    for problem in report.problems:
        assert problem.level in {"error", "warning"}
        assert isinstance(problem.message, str)
        assert "/" not in (problem.file or "").replace("(no files)", "")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(
        st.one_of(damaged(), random_csv, st.tuples(NAMES, st.binary(max_size=300))),
        min_size=1,
        max_size=3,
    )
)
def test_random_and_damaged_files_never_crash(files: list[tuple[str, bytes]]) -> None:
    con = store.connect(":memory:")
    try:
        assert ingest.import_files(
            con, [("Account.csv", VALID["Account.csv"])], actor=ANALYST
        ).ok
        _check(con, files)
    finally:
        con.close()
