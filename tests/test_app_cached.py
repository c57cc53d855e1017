"""The app's cached reads: one entry per value of the arguments, however spelled."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.app.cached import cached


@pytest.mark.parametrize("by_repr", [False, True])
def test_a_read_is_kept_once_per_value_however_it_is_called(app_db, by_repr):
    calls: list[tuple[date, int, bool]] = []

    def answers(day: date, quarters: int, with_context: bool = False) -> int:
        calls.append((day, quarters, with_context))
        return len(calls)

    # each test gets its own read (its own cache), named after the case
    answers.__qualname__ = f"answers_{by_repr}"
    read = cached(by_repr=by_repr)(answers)
    day = date(2026, 3, 1)
    first = read(day, 4)
    # by position, by name, or left to its default: the same entry
    assert read(day, 4, False) == first
    assert read(day, quarters=4, with_context=False) == first
    assert read(day=day, quarters=4) == first
    assert calls == [(day, 4, False)]
    # another value is another entry
    assert read(day, 4, with_context=True) != first
    assert calls == [(day, 4, False), (day, 4, True)]
