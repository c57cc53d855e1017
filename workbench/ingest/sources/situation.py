"""Account fields that rate the buying situation (Hutt & Speh), where CRMs have them.

A workshop rates each account's buying situation (the factors of the target
relationship, :data:`workbench.domain.SITUATION_FACTORS`); some CRMs hold the
same ratings as custom account fields or company properties. Only these
recognisable names are read, in every source's account files; their values
are levels 1–5 or words (high/medium/low, 高/中/低). A rating a workshop set in
the workbench wins over the file's.
"""

from __future__ import annotations

#: Canonical factor → header aliases (normalised on use: ``Strategic_Fit__c``,
#: ``strategic fit`` and ``strategicfit`` are one).
SITUATION_ALIASES: dict[str, tuple[str, ...]] = {
    "purchase_importance": (
        "purchase_importance",
        "Purchase Importance",
        "Purchase_Importance__c",
        "Strategic Importance",
        "Strategic_Importance__c",
        "property_strategic_importance",
        "采购重要性",
        "採購重要性",
        "战略重要性",
        "戰略重要性",
    ),
    "purchase_complexity": (
        "purchase_complexity",
        "Purchase Complexity",
        "Purchase_Complexity__c",
        "property_purchase_complexity",
        "采购复杂度",
        "採購複雜度",
    ),
    "switching_costs": (
        "switching_costs",
        "Switching Costs",
        "Switching Cost",
        "Switching_Costs__c",
        "property_switching_costs",
        "转换成本",
        "轉換成本",
    ),
    "supply_alternatives": (
        "supply_alternatives",
        "Supply Alternatives",
        "Supply_Alternatives__c",
        "Alternative Suppliers",
        "property_supply_alternatives",
        "替代供应商",
        "替代供應商",
    ),
    "strategic_fit": (
        "strategic_fit",
        "Strategic Fit",
        "Strategic_Fit__c",
        "property_strategic_fit",
        "战略契合度",
        "戰略契合度",
    ),
}
