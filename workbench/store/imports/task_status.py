"""Which activity rows their CRM holds as not done: to-dos, not effort.

An export of tasks holds what was done and what is still to do: Salesforce's
``Task`` file has both (it lists the second under "Open Activities", not the
activity history), as do HubSpot's and Dynamics' task exports. A task not done
is no time spent with the customer; counted as effort it would put hours on
accounts nobody visited. Such rows are not imported, like rows the export marks
as deleted, and each file says how many it left out; a later import brings the
task in once it is done.
"""

from __future__ import annotations

from workbench import vocabulary
from workbench.store.imports.merges import merged_away

#: Task statuses that say the CRM holds an activity as not done: open, under way,
#: waiting or put off (Salesforce's Not Started, In Progress, Waiting on someone
#: else and Deferred; HubSpot's NOT_STARTED, IN_PROGRESS, WAITING, DEFERRED and
#: a call's QUEUED; Dynamics' Open) or cancelled (a HubSpot meeting's or call's
#: CANCELED); compared trimmed and lower-case. Such a row is
#: a to-do, not time spent with the customer (Salesforce itself lists it under
#: "Open Activities", not the activity history), so it is not imported, and a
#: later import brings it in once done. "Scheduled" (计划中) is not here: a
#: meeting booked ahead is left out by the as-of day, and one whose day has
#: passed most likely took place without anyone closing it.
NOT_DONE_STATUSES: tuple[str, ...] = (
    "not started",
    "not_started",
    "in progress",
    "in_progress",
    "waiting on someone else",
    "waiting",
    "deferred",
    "queued",
    "open",
    "canceled",
    "cancelled",
    "未开始",
    "未開始",
    "进行中",
    "進行中",
    "未完成",
    "待办",
    "待辦",
    "已取消",
    "取消",
)


#: Dynamics 365's activity states by their code (``statecode``), as its
#: Dataverse and Web API exports give them; an "Export to Excel" view gives the
#: label (``Activity Status``) instead.
DYNAMICS_STATES: dict[str, str] = {
    "0": "open",
    "1": "completed",
    "2": "canceled",
    "3": "scheduled",
}


#: Salesforce's ``GroupEventType`` of an event: a meeting a seller proposed
#: (requested of a person, with times to choose from) that nobody confirmed
#: yet; once confirmed, the same record becomes a group event (1). Not held:
#: a to-do, as an open task is.
SALESFORCE_PROPOSED_EVENT = "2"
#: The same of a Lightning series' record: the pattern a series repeats, dated
#: and timed as its first occurrence, which is an event of its own (Classic's
#: is ``IsRecurrence``).
SALESFORCE_SERIES_EVENT = "3"


def _group_event_type_is(alias: str, value: str) -> str:
    return f"coalesce(trim({alias}.group_event_type) = '{value}', false)"


def lightning_series(alias: str) -> str:
    """Return the SQL condition of a Lightning series' record (:data:`SALESFORCE_SERIES_EVENT`)."""
    return _group_event_type_is(alias, SALESFORCE_SERIES_EVENT)


def not_done(alias: str) -> str:
    """Return the SQL condition of an activity row its CRM holds as not done.

    The task's closed flag (Salesforce's ``IsClosed``) decides when it reads as
    true or false; else its status (:data:`NOT_DONE_STATUSES`), or where it
    has none its Dynamics state code (:data:`DYNAMICS_STATES`; a label in
    that column is read as a status). Neither: done. A Salesforce meeting
    proposed and not confirmed (:data:`SALESFORCE_PROPOSED_EVENT`) is not
    done either.
    """
    closed = f"wb_bool({alias}.is_closed)"
    statuses = ", ".join(f"'{status}'" for status in NOT_DONE_STATUSES)
    code = f"trim({alias}.state_code)"
    state = (
        "CASE "
        + " ".join(
            f"WHEN {code} = '{number}' THEN '{label}'"
            for number, label in DYNAMICS_STATES.items()
        )
        + f" ELSE {alias}.state_code END"
    )
    status = f"coalesce({alias}.status, {state})"
    return (
        f"(CASE WHEN {closed} IS NOT NULL THEN NOT {closed} "
        f"ELSE coalesce(lower(trim({status})) IN ({statuses}), false) END "
        f"OR {_group_event_type_is(alias, SALESFORCE_PROPOSED_EVENT)})"
    )


def one_to_many(alias: str) -> str:
    """Return the SQL condition of an activity row that is one message sent to many.

    A list e-mail's task on each recipient (its kind one of
    :data:`workbench.vocabulary.ONE_TO_MANY_KINDS`, compared trimmed and
    lower-case): neither time spent on the account nor a touch of the person.
    """
    kinds = ", ".join(f"'{kind}'" for kind in sorted(vocabulary.ONE_TO_MANY_KINDS))
    return f"coalesce(lower(trim({alias}.kind)) IN ({kinds}), false)"


def series(alias: str) -> str:
    """Return the SQL condition of an activity row that is a recurring series' main record.

    Salesforce's ``IsRecurrence`` (``is_series``) reads true, or its
    ``GroupEventType`` is :data:`SALESFORCE_SERIES_EVENT` (Lightning), or its
    kind is one of :data:`workbench.vocabulary.SERIES_KINDS`. The record holds
    the pattern a series repeats, dated and timed as its first occurrence,
    which is a row of its own: counted, each series' first occurrence counted
    twice.
    """
    kinds = ", ".join(f"'{kind}'" for kind in sorted(vocabulary.SERIES_KINDS))
    return (
        f"(coalesce(wb_bool({alias}.is_series), false) "
        f"OR {lightning_series(alias)} "
        f"OR coalesce(lower(trim({alias}.kind)) IN ({kinds}), false))"
    )


def kept_activities(alias: str) -> str:
    """Return the SQL condition of a staged activity row the import keeps."""
    return (
        f"NOT {alias}._deleted AND NOT {not_done(alias)} "
        f"AND NOT {one_to_many(alias)} AND NOT {series(alias)}"
    )


def kept_rows(table: str, alias: str) -> str:
    """Return the SQL condition of a staged row of ``table`` the import keeps."""
    if table == "activities":
        return kept_activities(alias)
    return f"NOT {alias}._deleted AND NOT {merged_away(table, alias)}"
