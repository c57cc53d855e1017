"""Sentences the analytics write into their tables, in a language chosen by the caller.

A finding's ``detail`` or a segment's ``why`` is a sentence per row, built from a
catalogue message with named ``{placeholders}`` filled from the row's columns. The
language is a parameter (English by default) rather than the language in force: the
command line's ``--json``, the notebooks and a plan's stored situation keep English
whatever language prints their messages, and a cached result keyed on its arguments
is then keyed on its language too. A translation may put the placeholders in another
order than the English message (Chinese often does); each is filled by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from workbench import i18n

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def words(message: str, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return a catalogue message (marked with ``N_``) in ``language``."""
    return i18n.translations(language).gettext(message)


def list_separator(language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return what separates the items of a list in a sentence of ``language``."""
    return "，" if language in i18n.CATALOGUE_DIRS else ", "


def clause_separator(language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return what separates the clauses of a sentence of ``language`` (a semicolon)."""
    return "；" if language in i18n.CATALOGUE_DIRS else "; "


def sentence(
    message: str, language: str = i18n.DEFAULT_LANGUAGE, **values: pl.Expr | str
) -> pl.Expr:
    """Return ``message`` in ``language`` as an expression, its placeholders filled.

    Each ``{name}`` takes ``values[name]`` (an expression, or a column's name); a row
    where one of them is null reads null, as ``pl.format`` does.
    """
    pieces = _PLACEHOLDER.split(words(message, language))
    parts: list[pl.Expr] = []
    for position, piece in enumerate(pieces):
        if position % 2 == 0:
            if piece:
                parts.append(pl.lit(piece))
            continue
        value = values[piece]
        parts.append(pl.col(value) if isinstance(value, str) else value)
    return pl.concat_str(parts) if parts else pl.lit("")


def phrase_expr(
    column: pl.Expr | str, phrases: Mapping[str, str], language: str
) -> pl.Expr:
    """Return a column of codes as the phrases (catalogue messages) they stand for.

    A code outside ``phrases`` stays as it is.
    """
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.replace({code: words(msg, language) for code, msg in phrases.items()})


def term_expr(
    column: pl.Expr | str, vocabulary: Mapping[str, str], language: str
) -> pl.Expr:
    """Return a column of codes as ``language`` reads them (English: the codes).

    ``vocabulary`` maps codes to catalogue messages (``workbench.terms``); English
    sentences name the codes themselves, as they always have.
    """
    if language == i18n.DEFAULT_LANGUAGE:
        return pl.col(column) if isinstance(column, str) else column
    return phrase_expr(column, vocabulary, language)
