"""The languages people read the workbench in: English, 简体中文 and 繁體中文.

Messages are marked in code with :func:`gettext` (imported as ``_``) and live in
gettext catalogues under ``workbench/locale/`` (one ``.po`` per language, kept with
Babel's ``pybabel extract/update/compile``; ``bash dev.sh setup`` compiles them).
A clone that has not compiled them still works: a catalogue whose ``.mo`` is missing
or older than its ``.po`` is compiled in memory on first use.

The language in force is a context variable, so each Streamlit session (a thread)
and each command line run reads its own. Numbers, money and dates are formatted
with Babel for the language in force. Data (names, titles) is never translated.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import io
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: The languages, by the tag a URL or setting uses (BCP 47).
LANGUAGES: Final[tuple[str, ...]] = ("en", "zh-Hans", "zh-Hant")
DEFAULT_LANGUAGE: Final = "en"
#: Each language's name in its own script, for the language picker.
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "en": "English",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
}
#: The Babel locale that formats numbers and dates for each language: mainland
#: conventions for Simplified, Taiwan's for Traditional (Hong Kong formats alike).
BABEL_LOCALES: Final[dict[str, str]] = {
    "en": "en",
    "zh-Hans": "zh_Hans_CN",
    "zh-Hant": "zh_Hant_TW",
}
#: The catalogue folder of each language under ``workbench/locale/``.
CATALOGUE_DIRS: Final[dict[str, str]] = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
DOMAIN: Final = "workbench"

_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "workbench_language", default=DEFAULT_LANGUAGE
)


def normalise_language(tag: str | None) -> str | None:
    """Return the workbench language a tag names (``zh-CN`` → ``zh-Hans``), or None.

    Accepts BCP 47 tags as browsers send them (``zh-TW``, ``zh_Hant_HK``,
    ``en-GB``) and POSIX locales as ``LANG`` holds them (``zh_CN.UTF-8``).
    """
    if not tag:
        return None
    text = tag.split(".")[0].split("@")[0].replace("_", "-").strip()
    if not text or text.upper() in {"C", "POSIX"}:
        return None
    parts = [p.lower() for p in text.split("-")]
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    if "hant" in parts or {"tw", "hk", "mo"} & set(parts):
        return "zh-Hant"
    return "zh-Hans"


def negotiate(accept_language: str | None) -> str | None:
    """Return the first of the workbench's languages an Accept-Language header asks for."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag))
    for _quality, _position, tag in sorted(weighted):
        language = normalise_language(tag)
        if language is not None:
            return language
    return None


def set_language(language: str | None) -> str:
    """Make ``language`` (or the default when unknown) the one in force; return it."""
    chosen = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _language.set(chosen)
    return chosen


def current_language() -> str:
    """Return the language in force in this session or run."""
    return _language.get()


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Return the compiled catalogue of ``language`` (English: the messages as marked).

    Raises:
        ValueError: ``language`` is none of :data:`LANGUAGES` (a sentence asked
            for in ``"zh"`` or ``"zh_Hans"`` was written in English, unsaid).
    """
    if language not in LANGUAGES:
        meant = normalise_language(language)
        hint = f"; did you mean {meant!r}?" if meant else ""
        raise ValueError(
            f"unknown language {language!r}: one of {', '.join(LANGUAGES)}{hint}"
        )
    folder = CATALOGUE_DIRS.get(language)
    if folder is None:
        return _gettext.NullTranslations()
    messages = LOCALE_DIR / folder / "LC_MESSAGES"
    po_file, mo_file = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
    if mo_file.exists() and (
        not po_file.exists() or mo_file.stat().st_mtime >= po_file.stat().st_mtime
    ):
        with mo_file.open("rb") as compiled:
            return _gettext.GNUTranslations(compiled)
    if not po_file.exists():
        return _gettext.NullTranslations()
    # Not compiled yet (a fresh clone): compile in memory, the same way pybabel does.
    with po_file.open("rb") as source:
        catalogue = read_po(source, locale=BABEL_LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    """Return ``message`` in the language in force (marked for extraction as ``_``)."""
    return translations(current_language()).gettext(message)


def N_(message: str) -> str:
    """Mark a message defined at import time; translate it with :func:`gettext` on use."""
    return message


class TranslatedWhenShown(str):
    """A message marked at import time that reads as its translation when shown.

    For text a library takes once and shows later, such as the spinner message of
    a Streamlit cache (fixed when the read is decorated): whoever turns it into
    text with ``str()`` gets it in the language in force then, not at import.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return gettext(str.__str__(self))


def ngettext(singular: str, plural: str, count: int) -> str:
    """Return the singular or plural message for ``count`` in the language in force."""
    return translations(current_language()).ngettext(singular, plural, count)


def _babel_locale() -> Locale:
    try:
        return Locale.parse(BABEL_LOCALES[current_language()])
    except (UnknownLocaleError, KeyError):  # pragma: no cover - fixed table above
        return Locale.parse("en")


def format_number(value: float | int | Decimal | None, digits: int = 0) -> str:
    """Return a number with the language's grouping and decimal signs (– when None)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel_locale())


def format_percent(value: float | None, digits: int = 0) -> str:
    """Return a share given in percent points (``12.5`` → ``12.5 %``; – when None)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(
        value / 100, format=pattern, locale=_babel_locale()
    )


def format_money(value: float | int | Decimal | None, currency: str) -> str:
    """Return an amount with its ISO currency, rounded to whole units (– when None)."""
    if value is None:
        return "–"
    return babel_numbers.format_currency(
        value,
        currency,
        format="¤#,##0",
        currency_digits=False,
        locale=_babel_locale(),
    )


def format_money_short(value: float | int | Decimal | None, currency: str) -> str:
    """Return an amount in a few characters with its currency (``US$130M``, ``US$1.3亿``).

    For a figure shown large in a narrow place (a metric), where a full amount
    in the billions is cut; the full amount belongs beside it (its help).
    """
    if value is None:
        return "–"
    return babel_numbers.format_compact_currency(
        value, currency, fraction_digits=1, locale=_babel_locale()
    )


def format_day(day: date | None) -> str:
    """Return a date in the language's medium form (– when None)."""
    if day is None:
        return "–"
    return babel_dates.format_date(day, format="medium", locale=_babel_locale())


#: Fonts that draw Chinese as well as Latin text, the language's own script first
#: (Streamlit's font has no CJK glyphs; the browser takes the first one it has).
_LATIN_FONTS = '"Source Sans Pro", "Source Sans 3", "Helvetica Neue", Arial'
_CJK_FONTS = {
    "zh-Hant": '"Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", '
    '"Microsoft JhengHei", "Source Han Sans TC", "Noto Sans CJK SC"',
    "zh-Hans": '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "Source Han Sans SC", "Noto Sans CJK TC"',
}


def font_stack() -> str:
    """Return the charts' font stack for the language in force (CJK-capable)."""
    cjk = _CJK_FONTS.get(current_language(), _CJK_FONTS["zh-Hans"])
    return f"{_LATIN_FONTS}, {cjk}, sans-serif"
