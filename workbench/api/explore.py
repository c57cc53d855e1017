"""Notebook explorers: the pages' sliders as ipywidgets, over the same library path.

Each explorer reads the database once (the account features, the effort per
account, one account's buying centre) and then recomputes on that small frame at
every control change, as the app does: moving a slider never scans the database.

An explorer is an ``ipywidgets.VBox`` holding its controls and outputs. Its current
result is readable as ``.result`` (and the figures it drew as ``.rendered``), and
setting a control's ``.value`` from Python updates both, with or without a widget
frontend. Where no frontend draws widgets (``nbclient``, a static export), the
notebook shows the current summary as HTML instead of a blank widget.

Needs the ``notebook`` extra: ``pip install -e ".[notebook]"``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import polars as pl
from IPython.display import HTML, display

from workbench import charts, store
from workbench.analytics import effort, network, segment
from workbench.analytics.controls import (
    EFFORT_CONTROLS,
    SEGMENT_CONTROLS,
    Control,
    clamp,
)
from workbench.domain import BUYING_ROLES
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.api.people import Workbench

CURRENT = "(current sliders)"
#: Rows of a result table shown under the chart; ``.result`` holds them all.
TABLE_ROWS = 20


class Explorer(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Controls and outputs in one box; ``.result`` is the current result frame."""

    def __init__(self, children: list[Any], title: str) -> None:
        super().__init__(children=children)
        self.title = title
        self.rendered: dict[str, Any] = {}
        self._result = pl.DataFrame()

    @property
    def result(self) -> pl.DataFrame:
        """Return the frame the controls currently produce."""
        return self._result

    def show(self, result: pl.DataFrame, **rendered: Any) -> None:
        """Keep the new result and what was drawn from it."""
        self._result = result
        self.rendered = rendered

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = super()._repr_mimebundle_(**kwargs)
        # Without a widget frontend the widget view is blank: show the figures too.
        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        for name, value in self.rendered.items():
            if isinstance(value, pl.DataFrame):
                parts.append(f"<p><b>{html.escape(name)}</b></p>")
                parts.append(value.head(TABLE_ROWS)._repr_html_())
        bundle["text/html"] = "\n".join(parts)
        return bundle


def _slider(control: Control, value: float) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=clamp(control, value),
        min=control.low,
        max=control.high,
        step=control.step,
        description=control.shown_label(),
        description_tooltip=control.shown_help() or control.shown_label(),
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="520px"),
    )


def _redraw(output: widgets.Output, *items: Any) -> None:
    with output:
        output.clear_output(wait=True)
        for item in items:
            display(item)  # type: ignore[no-untyped-call]


def _on_change(controls: list[widgets.Widget], handler: Callable[[], None]) -> None:
    for control in controls:
        control.observe(lambda _change: handler(), names="value")


def explore_segments(
    wb: Workbench, thresholds: segment.Thresholds | None = None
) -> Explorer:
    """Return the Segments page's thresholds as widgets driving chart, summary, table."""
    start = thresholds or segment.DEFAULT_THRESHOLDS
    sliders = {c.field: _slider(c, getattr(start, c.field)) for c in SEGMENT_CONTROLS}
    mode = widgets.RadioButtons(
        options=[("top share", "percent"), ("contribution floor", "absolute")],
        value=start.valuable_mode,
        description="Most valuable by",
    )
    floor = widgets.FloatText(
        value=start.valuable_min_contribution,
        step=50_000,
        description="Contribution at least",
        style={"description_width": "initial"},
    )
    as_of = widgets.DatePicker(value=wb.as_of(), description="As of")
    message = widgets.HTML()
    chart_out, summary_out, table_out = (widgets.Output() for _ in range(3))
    overrides = store.relationship_overrides(wb.connection)
    features = {"day": as_of.value, "frame": wb.features(as_of.value)}

    def current_thresholds() -> segment.Thresholds:
        values = {field: slider.value for field, slider in sliders.items()}
        return segment.Thresholds.from_dict(
            {
                **start.to_dict(),
                **values,
                "valuable_mode": mode.value,
                "valuable_min_contribution": floor.value,
            }
        )

    def update() -> None:
        if as_of.value != features["day"]:  # a new window: the one database read
            features["day"] = as_of.value
            features["frame"] = wb.features(as_of.value)
        try:
            chosen = current_thresholds()
        except WorkbenchError as error:
            message.value = f"<b>Not applied:</b> {html.escape(str(error))}"
            return
        message.value = ""
        segments = segment.assign_segments(features["frame"], chosen, overrides)
        summary = segment.segment_summary(segments)
        cuts = segment.segment_cuts(segments, chosen)
        chart = charts.segment_scatter(
            segments, cuts.contribution_cut, cuts.headroom_cut
        )
        explorer.show(
            segments,
            chart=chart,
            summary=summary,
            thresholds=chosen,
            **{k: v for k, v in explorer.rendered.items() if k == "comparison"},
        )
        _redraw(chart_out, chart)
        _redraw(summary_out, summary)
        _redraw(table_out, segments.head(TABLE_ROWS))

    save_row, compare_row, compare_out = _scenario_rows(
        wb, current_thresholds, lambda moved: explorer.rendered.update(comparison=moved)
    )
    explorer = Explorer(
        [
            widgets.HBox([as_of, mode, floor]),
            *sliders.values(),
            message,
            chart_out,
            summary_out,
            table_out,
            save_row,
            compare_row,
            compare_out,
        ],
        "Segments",
    )
    _on_change([*sliders.values(), mode, floor, as_of], update)
    update()
    return explorer


def _scenario_rows(
    wb: Workbench,
    current: Callable[[], segment.Thresholds],
    compared: Callable[[pl.DataFrame], None],
) -> tuple[widgets.HBox, widgets.HBox, widgets.Output]:
    """Return the save-a-scenario row, the compare-two row and its output."""
    name = widgets.Text(placeholder="Scenario name", description="Save as")
    save = widgets.Button(description="Save scenario", icon="save")
    saved_message = widgets.HTML()
    choices = [CURRENT, *wb.scenarios()["name"].to_list()]
    first = widgets.Dropdown(options=choices, value=CURRENT, description="Compare")
    second = widgets.Dropdown(options=choices, value=CURRENT, description="with")
    compare = widgets.Button(description="Compare", icon="exchange")
    compare_out = widgets.Output()

    def on_save(_button: widgets.Button) -> None:
        try:
            wb.save_scenario(name.value, current())
        except WorkbenchError as error:
            saved_message.value = f"<b>Not saved:</b> {html.escape(str(error))}"
            return
        saved_message.value = f"Saved “{html.escape(name.value.strip())}”."
        names = [CURRENT, *wb.scenarios()["name"].to_list()]
        first.options, second.options = names, names

    def on_compare(_button: widgets.Button) -> None:
        picked = [current() if d.value == CURRENT else d.value for d in (first, second)]
        moved = wb.compare_scenarios(picked[0], picked[1])
        compared(moved)
        _redraw(compare_out, moved.head(TABLE_ROWS))

    save.on_click(on_save)
    compare.on_click(on_compare)
    return (
        widgets.HBox([name, save, saved_message]),
        widgets.HBox([first, second, compare]),
        compare_out,
    )


def explore_effort(
    wb: Workbench,
    thresholds: segment.Thresholds | None = None,
    as_of: date | None = None,
) -> Explorer:
    """Return the Effort page's grouping and verdict rules as widgets."""
    accounts = wb.effort(thresholds=thresholds, as_of=as_of)  # the one read
    model = wb.service_model()
    hourly_cost = wb.thresholds(thresholds).hourly_cost
    currency = wb.currency()
    defaults = effort.MisallocationRules()
    sliders = {c.field: _slider(c, getattr(defaults, c.field)) for c in EFFORT_CONTROLS}
    by = widgets.Dropdown(
        options=[("Account", "account"), *((g, g) for g in effort.GROUPINGS)],
        value="relationship",
        description="Group by",
    )
    chart_out, verdicts_out = widgets.Output(), widgets.Output()

    def update() -> None:
        rules = effort.MisallocationRules(
            **{field: slider.value for field, slider in sliders.items()}
        )
        verdicts = effort.issues(
            effort.judge(accounts, model, rules, hourly_cost, currency), currency
        )
        if by.value == "account":
            result = accounts
            chart = charts.effort_value_scatter(accounts)
        else:
            result = effort.effort_by_group(accounts, by.value)
            chart = charts.share_bars(effort.share_comparison(result, by.value))
        explorer.show(result, chart=chart, verdicts=verdicts)
        _redraw(chart_out, chart)
        _redraw(verdicts_out, verdicts.head(TABLE_ROWS))

    explorer = Explorer([by, *sliders.values(), chart_out, verdicts_out], "Effort")
    _on_change([by, *sliders.values()], update)
    update()
    return explorer


def explore_buying_centre(wb: Workbench, account_id: str, months: int = 12) -> Explorer:
    """Return one account's map with its filters as widgets (offline, escaped)."""
    window = widgets.IntSlider(
        value=months, min=1, max=60, description="Months", continuous_update=False
    )
    data = store.read_buying_centre(wb.connection, account_id, months=months)
    departments = widgets.SelectMultiple(
        options=network.departments(data), description="Departments"
    )
    roles = widgets.SelectMultiple(
        options=[*BUYING_ROLES, network.UNKNOWN], description="Roles"
    )
    sellers = widgets.Checkbox(value=True, description="Our sellers")
    layout = widgets.RadioButtons(options=["force", "hierarchy"], description="Layout")
    map_out, coverage_out = widgets.Output(), widgets.Output()

    def update() -> None:
        drawn = wb.buying_centre(
            account_id,
            months=window.value,
            departments=list(departments.value),
            roles=list(roles.value),
            layout=layout.value,
            show_sellers=sellers.value,
        )
        coverage = drawn.report.coverage
        explorer.show(drawn.people, map=drawn, coverage=coverage)
        _redraw(map_out, HTML(drawn._repr_html_()))  # type: ignore[no-untyped-call]
        _redraw(coverage_out, coverage)

    explorer = Explorer(
        [
            widgets.HBox([window, sellers, layout]),
            widgets.HBox([departments, roles]),
            map_out,
            coverage_out,
        ],
        f"Buying centre of {data.account_name}",
    )
    _on_change([window, departments, roles, sellers, layout], update)
    update()
    return explorer
