"""argparse's own words ("usage:", "options", its errors) in the workbench's language.

argparse writes its words through the ``_`` and ``ngettext`` it imports from
:mod:`gettext` into its own module, and looks them up each time it writes: that is the
hook Python leaves for translating it. gettext's global domain is no fit here: it takes
the language from the environment only (not ``--lang``) and needs compiled files in a
system layout. So while a command line is built and parsed, :func:`argparse_in_language`
points those two names at :mod:`workbench.i18n` (the language in force, the workbench's
catalogue) and puts argparse's own back afterwards. This module is the one place that
does it.

:data:`ARGPARSE_MESSAGES` lists, as argparse spells them (Python 3.11 to 3.13), the
messages it can show a person, so that extraction keeps them in the workbench's
catalogue. Left out: the errors about a wrongly built parser (programming errors, never
shown to someone typing a command) and the plural "expected %s argument(s)", which only
options taking a fixed number (two or more) of values can raise; no command has one.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from workbench import i18n
from workbench.i18n import N_

ARGPARSE_MESSAGES: tuple[str, ...] = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unexpected option string: %s"),
    # Python 3.13's additions
    N_("%(heading)s:"),
    N_(" (default: %(default)s)"),
    N_("subcommands"),
    N_("%(prog)s: warning: %(message)s\n"),
    N_("argument '%(argument_name)s' is deprecated"),
    N_("command '%(parser_name)s' is deprecated"),
    N_("option '%(option)s' is deprecated"),
)

#: argparse's module-level names → the workbench's functions that take their place.
_TRANSLATORS: dict[str, Callable[..., str]] = {
    "_": i18n.gettext,
    "ngettext": i18n.ngettext,
}


@contextmanager
def argparse_in_language() -> Iterator[None]:
    """Within the block, argparse writes its words in the workbench's language."""
    module: dict[str, Any] = vars(argparse)
    # A Python whose argparse no longer has these names keeps its English words.
    saved = {name: module[name] for name in _TRANSLATORS if name in module}
    module.update({name: _TRANSLATORS[name] for name in saved})
    try:
        yield
    finally:
        module.update(saved)
