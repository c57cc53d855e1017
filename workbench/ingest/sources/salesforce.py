"""Salesforce: Data Export, Data Loader, Salesforce CLI and Fivetran header dictionaries."""

from __future__ import annotations

from workbench.ingest.sources.layout import ObjectLayout
from workbench.ingest.sources.situation import SITUATION_ALIASES

_DELETED = ("IsDeleted", "_fivetran_deleted")
#: A merged record's survivor (set on the deleted loser of an account or
#: contact merge; Fivetran's ``master_record_id`` reads as the same header).
_MERGED_INTO = ("MasterRecordId",)
#: What tasks and events share: their ID, account, person, owner, subject.
_ACTIVITY_LINKS: dict[str, tuple[str, ...]] = {
    "activity_id": ("Id",),
    "account_id": ("AccountId",),
    "contact_id": ("WhoId",),
    "seller_id": ("OwnerId",),
    "subject": ("Subject",),
    "is_deleted": _DELETED,
    # a recurring series' main record (Classic), beside its occurrences
    "is_series": ("IsRecurrence",),
}
OBJECTS = (
    ObjectLayout(
        "salesforce",
        "Account",
        "accounts",
        {
            "account_id": ("Id",),
            "name": ("Name", "Account Name"),
            "industry": ("Industry",),
            "region": ("Region", "Sales Region"),
            "country": ("BillingCountry", "ShippingCountry", "Billing Country"),
            "annual_revenue": ("AnnualRevenue", "Annual Revenue"),
            "employees": ("NumberOfEmployees", "Employees"),
            "parent_account_id": ("ParentId",),
            "owner_seller_id": ("OwnerId",),
            # Report exports name the owner instead of giving the user's ID.
            "owner_seller_name": ("Account Owner", "Owner", "Owner Name"),
            "created_on": ("CreatedDate", "Created Date"),
            # Customer - Direct, Technology Partner, Competitor, Prospect, ...
            "crm_type": ("Type", "Account Type"),
            "is_deleted": _DELETED,
            "master_id": _MERGED_INTO,
            **SITUATION_ALIASES,
        },
        ("name",),
        ("account", "accounts", "sfaccountdata", "sfaccount"),
    ),
    ObjectLayout(
        "salesforce",
        "Contact",
        "contacts",
        {
            "contact_id": ("Id",),
            "account_id": ("AccountId",),
            "name": ("Name", "Full Name"),
            "first_name": ("FirstName", "First Name"),
            "last_name": ("LastName", "Last Name"),
            "title": ("Title",),
            "department": ("Department",),
            "reports_to_id": ("ReportsToId",),
            "email": ("Email",),
            "phone": ("Phone", "MobilePhone"),
            # not a standard field: the custom checkbox data-enrichment
            # packages add (No_Longer_at_Company__c; Fivetran's sync spells it
            # no_longer_at_company_c)
            "has_left": ("No_Longer_at_Company__c", "No Longer at Company"),
            "is_deleted": _DELETED,
            "master_id": _MERGED_INTO,
        },
        ("last_name", "name"),
        ("contact", "contacts", "sfcontactdata", "sfcontact"),
    ),
    ObjectLayout(
        "salesforce",
        "User",
        "sellers",
        {
            "seller_id": ("Id",),
            "name": ("Name",),
            "first_name": ("FirstName",),
            "last_name": ("LastName",),
            "title": ("Title",),
            "team": ("Department", "Division"),
            "email": ("Email",),
        },
        ("last_name", "name"),
        ("user", "users", "sfuserdata", "sfuser"),
    ),
    ObjectLayout(
        "salesforce",
        "Opportunity",
        "opportunities",
        {
            "opportunity_id": ("Id",),
            "account_id": ("AccountId",),
            "name": ("Name",),
            "stage": ("StageName", "Stage"),
            "amount": ("Amount",),
            "close_date": ("CloseDate",),
            # a report export's checkbox columns are labelled Closed and Won
            "is_closed": ("IsClosed", "Closed"),
            "is_won": ("IsWon", "Won"),
            "owner_seller_id": ("OwnerId",),
            "owner_seller_name": ("Opportunity Owner", "Owner", "Owner Name"),
            "created_on": ("CreatedDate",),
            "contract_id": ("ContractId",),
            "is_deleted": _DELETED,
            # a multi-currency org's deal currency
            "currency": ("CurrencyIsoCode",),
        },
        ("stage", "close_date"),
        ("opportunity", "opportunities", "sfopportunitydata", "sfopportunity"),
    ),
    ObjectLayout(
        "salesforce",
        "Contract",
        "contracts",
        {
            "contract_id": ("Id",),
            "account_id": ("AccountId",),
            "start_date": ("StartDate",),
            "end_date": ("EndDate",),
            "term_months": ("ContractTerm",),
            "status": ("Status", "StatusCode"),
            "is_deleted": _DELETED,
        },
        ("term_months", "start_date"),
        ("contract", "contracts", "sfcontractdata", "sfcontract"),
    ),
    ObjectLayout(
        "salesforce",
        "OpportunityContactRole",
        "opportunity_contacts",
        {
            "opportunity_id": ("OpportunityId",),
            "contact_id": ("ContactId",),
            "role": ("Role",),
            "is_primary": ("IsPrimary",),
            "is_deleted": _DELETED,
        },
        ("contact_id",),
        (
            "opportunitycontactrole",
            "opportunitycontactroles",
            "sfopportunitycontactroledata",
        ),
    ),
    *(
        ObjectLayout(
            "salesforce",
            name,
            "activities",
            {**_ACTIVITY_LINKS, **own},
            ("activity_date", "subject"),
            (stem, f"{stem}s", f"sf{stem}data", f"sf{stem}"),
            kind=stem,
        )
        for name, stem, own in (
            (
                "Task",
                "task",
                {
                    "kind": ("TaskSubtype", "Type"),
                    # what a task of subtype "Task" was (vocabulary.OBJECT_KINDS)
                    "activity_type": ("Type",),
                    "activity_date": (
                        "ActivityDate",
                        "CompletedDateTime",
                        "CreatedDate",
                    ),
                    "duration_seconds": ("CallDurationInSeconds",),
                    # an open task is a to-do, not effort (not imported)
                    "is_closed": ("IsClosed",),
                    "status": ("Status",),
                },
            ),
            (
                "Event",
                "event",
                {
                    "kind": ("EventSubtype", "Type"),
                    "activity_type": ("Type",),
                    "activity_date": (
                        "ActivityDate",
                        "StartDateTime",
                        "ActivityDateTime",
                    ),
                    "duration_minutes": ("DurationInMinutes",),
                    "all_day": ("IsAllDayEvent",),
                    # a Lightning series' record, a meeting only proposed
                    "group_event_type": ("GroupEventType",),
                },
            ),
        )
    ),
)

#: Salesforce objects a full export holds that the workbench does not store.
SALESFORCE_SKIPPED = (
    "lead",
    "sfleaddata",
    "opportunitylineitem",
    "sfopportunitylineitemdata",
    "product2",
    "sfproduct2data",
    "userrole",
    "sfuserroledata",
    "opportunityhistory",
    "sfopportunityhistorydata",
)


#: File names a Salesforce Data Export gives its objects (the stem, exactly).
SALESFORCE_FILE_STEMS = frozenset(
    {
        "Account",
        "Contact",
        "Opportunity",
        "Contract",
        "OpportunityContactRole",
        "Task",
        "Event",
        "User",
    }
)
