"""Microsoft Dynamics 365 exports: header dictionaries (schema names and display names)."""

from __future__ import annotations

from workbench.ingest.sources.layout import ObjectLayout
from workbench.ingest.sources.situation import SITUATION_ALIASES

#: "Export to Excel" views of one activity type: (entity, kind, the hidden key
#: column's name, date headers, people headers). ``Regarding`` names the account,
#: ``Duration`` is in minutes, the person is the call's recipient or an attendee.
_ACTIVITY_VIEWS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "phonecall",
        "call",
        "Phone Call",
        ("actualend", "Actual End", "Due", "Date Created", "Created On"),
        ("Call To", "Recipient", "to"),
    ),
    (
        "appointment",
        "meeting",
        "Appointment",
        ("scheduledstart", "Start Time", "Actual Start", "Created On"),
        ("Required Attendees", "requiredattendees", "Optional Attendees"),
    ),
    (
        "task",
        "task",
        "Task",
        ("scheduledend", "Due Date", "Due", "Actual End", "Created On"),
        ("Contact",),
    ),
    (
        "email",
        "email",
        "Email",
        ("Date Sent", "senton", "Actual End", "Created On"),
        ("To", "Recipient"),
    ),
)


#: An activity's state as a label: an "Export to Excel" view's column, and the
#: name Dataverse's SQL endpoint and its Web API give beside the code.
_STATE_LABELS = (
    "Activity Status",
    "statecodename",
    "statecode@OData.Community.Display.V1.FormattedValue",
)


def _activity_view(
    name: str,
    kind: str,
    id_header: str,
    dates: tuple[str, ...],
    people: tuple[str, ...],
) -> ObjectLayout:
    """Return the layout of one activity type's "Export to Excel" view."""
    return ObjectLayout(
        "dynamics",
        name,
        "activities",
        {
            "activity_id": (f"(Do Not Modify) {id_header}", f"{name}id", "activityid"),
            "account_id": ("regardingobjectid",),
            "account_name": ("Regarding",),
            "contact_name": people,
            "seller_id": ("ownerid",),
            "seller_name": ("Owner",),
            "activity_date": dates,
            "duration_minutes": (
                "actualdurationminutes",
                "Duration",
                "Actual Duration",
            ),
            "all_day": ("isalldayevent", "All Day Event"),
            "subject": ("subject", "Subject"),
            "status": _STATE_LABELS,
            "state_code": ("statecode",),
        },
        ("activity_id",),
        (name, f"{name}s", {"email": "emails", "task": "tasks"}.get(name, name)),
        kind=kind,
    )


OBJECTS = (
    ObjectLayout(
        "dynamics",
        "account",
        "accounts",
        {
            "account_id": ("accountid", "(Do Not Modify) Account"),
            "name": ("name", "Account Name"),
            "industry": ("industrycode", "Industry"),
            "country": ("address1_country", "Address 1: Country/Region"),
            "region": ("territoryid", "Territory"),
            "annual_revenue": ("revenue", "Annual Revenue"),
            "employees": ("numberofemployees", "Number of Employees"),
            "parent_account_id": ("parentaccountid",),
            # "Export to Excel" writes lookups as display names, not GUIDs.
            "parent_account_name": ("Parent Account",),
            "owner_seller_id": ("ownerid",),
            "owner_seller_name": ("Owner",),
            "created_on": ("createdon", "Created On"),
            # the relationship type: its label where the export gives one, else
            # its option value (1 Competitor ... 12 Other)
            "crm_type": (
                "customertypecode@OData.Community.Display.V1.FormattedValue",
                "customertypecodename",
                "Relationship Type",
                "customertypecode",
            ),
            # set on the deactivated loser of a merge (its records moved)
            "master_id": ("masterid", "Master ID"),
            **SITUATION_ALIASES,
        },
        ("account_id",),
        ("account", "accounts"),
    ),
    ObjectLayout(
        "dynamics",
        "contact",
        "contacts",
        {
            "contact_id": ("contactid", "(Do Not Modify) Contact"),
            "account_id": ("parentcustomerid", "accountid"),
            "account_name": ("Company Name",),
            "name": ("fullname", "Full Name"),
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "title": ("jobtitle", "Job Title"),
            "department": ("department", "Department"),
            "reports_to_name": ("managername", "Manager"),
            "buying_role": ("msdyn_decisioninfluencetag", "Decision influence tag"),
            "email": ("emailaddress1", "Email"),
            "phone": ("telephone1", "Business Phone"),
            # a deactivated contact (statecode 1, "Inactive"): the person left;
            # not the status reason, whose codes (1 active, 2 inactive) differ
            "has_left": (
                "statecode",
                "statecodename",
                "statecode@OData.Community.Display.V1.FormattedValue",
                "Status",
            ),
            "master_id": ("masterid", "Master ID"),
        },
        ("contact_id",),
        ("contact", "contacts"),
    ),
    ObjectLayout(
        "dynamics",
        "opportunity",
        "opportunities",
        {
            "opportunity_id": ("opportunityid", "(Do Not Modify) Opportunity"),
            "account_id": ("parentaccountid", "customerid"),
            "account_name": ("Account", "Potential Customer"),
            "name": ("name", "Topic"),
            "stage": ("stepname", "salesstagecode", "Pipeline Phase"),
            # open, won or lost (0, 1, 2): an opportunity closed as won keeps
            # the pipeline step it was in
            "state_code": ("statecode", "Status"),
            "amount": (
                "actualvalue",
                "estimatedvalue",
                "Est. Revenue",
                "Actual Revenue",
            ),
            "currency": ("isocurrencycode", "Currency"),
            "close_date": (
                "actualclosedate",
                "estimatedclosedate",
                "Est. Close Date",
                "Actual Close Date",
            ),
            "owner_seller_id": ("ownerid",),
            "owner_seller_name": ("Owner",),
            "created_on": ("createdon", "Created On"),
        },
        ("opportunity_id",),
        ("opportunity", "opportunities"),
    ),
    *(
        _activity_view(name, kind, id_header, dates, people)
        for name, kind, id_header, dates, people in _ACTIVITY_VIEWS
    ),
    ObjectLayout(
        "dynamics",
        "activitypointer",
        "activities",
        {
            "activity_id": ("activityid", "(Do Not Modify) Activity"),
            "account_id": ("regardingobjectid",),
            "account_name": ("Regarding",),
            "seller_id": ("ownerid",),
            "seller_name": ("Owner",),
            "kind": ("activitytypecode", "Activity Type"),
            "activity_date": (
                "actualstart",
                "scheduledstart",
                "Actual Start",
                "Start Date",
            ),
            "duration_minutes": ("actualdurationminutes", "Actual Duration"),
            "all_day": ("isalldayevent", "All Day Event"),
            "subject": ("subject", "Subject"),
            "status": _STATE_LABELS,
            "state_code": ("statecode",),
        },
        ("activity_id",),
        ("activitypointer", "activity", "activities", "phonecall", "appointment"),
    ),
    # Contracts and their lines (service contracts): each gives the account a
    # term in force, over which the account's deals won in it are spread (the
    # economics' "contract of the account covering the close date").
    *(
        ObjectLayout(
            "dynamics",
            name,
            "contracts",
            {
                "contract_id": (f"(Do Not Modify) {label}", f"{name}id"),
                "account_id": ("customerid",),
                "account_name": ("Customer", "Account"),
                "start_date": ("activeon", "Contract Start Date", "Start Date"),
                "end_date": ("expireson", "Contract End Date", "End Date"),
                "status": ("statecode", "Status", "Status Reason"),
            },
            ("contract_id",),
            stems,
        )
        for name, label, stems in (
            ("contract", "Contract", ("contract", "contracts")),
            (
                "contractdetail",
                "Contract Line",
                ("contractdetail", "contractlines", "contractline"),
            ),
        )
    ),
    ObjectLayout(
        "dynamics",
        "systemuser",
        "sellers",
        {
            "seller_id": ("systemuserid", "(Do Not Modify) User"),
            "name": ("fullname", "Full Name"),
            "title": ("title", "Title"),
            "team": ("businessunitid", "Business Unit"),
            "email": ("internalemailaddress", "Primary Email"),
        },
        ("seller_id",),
        ("systemuser", "users"),
    ),
)
