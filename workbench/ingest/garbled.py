"""Whether decoded text looks garbled (mojibake), and which encoding to try instead.

An export read in the wrong encoding still decodes (Latin-1 reads any byte), so
the import warns, with the measured share and the encoding to try, rather than
refusing; the warning is worded for the reader's language (docs/i18n.md).
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from workbench.domain import Wording
from workbench.i18n import N_

#: Bytes the encoding guess reads (enough for a CRM export's first lines).
_GUESS_BYTES = 64 * 1024


#: Characters a byte of 0x80-0xFF becomes in Latin-1 or Windows-1252: CJK text
#: read in one of these turns into runs of them ("ÁªÏµÈË" for 联系人).
_HIGH_BYTE_CHARS = "".join(
    sorted(
        {chr(c) for c in range(0x80, 0x100)}
        | {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0x100)} - {""}
    )
)
_MOJIBAKE = re.compile(
    # UTF-8 read as Latin-1/Windows-1252 ("Ã©" for é, "â€”" for a dash, "ï»¿" for
    # a byte-order mark), runs of three or more high-byte characters (CJK read
    # as Latin-1), the replacement character, and the classic GBK artefacts of
    # replaced or uninitialised bytes ("锟斤拷", "烫烫", "屯屯").
    "[ÂÃ][\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|â€|ï»¿"
    f"|[{re.escape(_HIGH_BYTE_CHARS)}]{{3,}}|\ufffd+|(?:锟斤拷)+|烫{{2,}}|屯{{2,}}"
)
#: Share of the non-ASCII characters that must look garbled before a warning.
MOJIBAKE_SHARE = 0.05
_MOJIBAKE_SAMPLE_CHARS = 1024 * 1024


def garbled_text(data: bytes, text: str, encoding: str) -> Wording | None:
    """Return what looks wrong when decoded text looks like mojibake, else None.

    Measured on the first megabyte: the share of non-ASCII characters inside
    typical mojibake (see ``_MOJIBAKE``), or bytes that are valid UTF-8 read in
    another encoding. The warning names the encoding used, the share and the
    encoding to try instead, worded for the reader's language.
    """
    sample = text[:_MOJIBAKE_SAMPLE_CHARS]
    non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
    if non_ascii == 0:
        return None
    garbled = sum(len(m) for m in _MOJIBAKE.findall(sample))
    head = data[: 4 * _MOJIBAKE_SAMPLE_CHARS]
    valid_utf8 = encoding not in {"utf-8", "utf-16"} and _decodes(head, "utf-8")
    if not valid_utf8 and (garbled < 3 or garbled / non_ascii < MOJIBAKE_SHARE):
        return None
    suggestion = _better_encoding(head, encoding, valid_utf8=valid_utf8)
    measured = (
        Wording(N_("the bytes are valid UTF-8"))
        if valid_utf8
        else Wording(
            N_(
                "{garbled} of {characters} non-ASCII characters ({share}) look like "
                "mojibake"
            ),
            (
                ("garbled", f"{garbled:,}"),
                ("characters", f"{non_ascii:,}"),
                ("share", f"{garbled / non_ascii:.0%}"),
            ),
        )
    )
    advice = (
        Wording(
            N_(
                "import it again with --encoding {encoding} (or pick {encoding} on "
                "the Import page)"
            ),
            (("encoding", suggestion),),
        )
        if suggestion
        else Wording(N_("re-export the file as UTF-8"))
    )
    return Wording(
        N_(
            "the text may be garbled when read as {encoding}: {measured}; if names "
            "look wrong, {advice}."
        ),
        (("encoding", encoding), ("measured", measured), ("advice", advice)),
    )


def _better_encoding(head: bytes, encoding: str, *, valid_utf8: bool) -> str | None:
    """Return the encoding to try instead, or None when re-reading cannot help."""
    if valid_utf8:
        return "utf-8"
    if encoding == "utf-8":
        return None  # garbled before it was saved (encoded twice): re-export
    best = from_bytes(head[:_GUESS_BYTES], cp_isolation=["gb18030", "big5"]).best()
    guess = normalise_encoding_name(best.encoding) if best is not None else None
    return {"gb18030": "gb18030", "big5": "big5"}.get(guess or "")


def _decodes(data: bytes, encoding: str) -> bool:
    # A multi-byte character cut at the end of a sample does not count against it.
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 4 and error.start > 0
    return True


def normalise_encoding_name(encoding: str) -> str:
    """Return an encoding's name as the workbench writes it (``gb18030``)."""
    return encoding.lower().replace("_", "-")
