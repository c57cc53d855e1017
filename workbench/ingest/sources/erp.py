"""ERP revenue files: revenue and cost per customer and month.

The optional file an ERP exports (SAP, Oracle, and the Chinese 用友 U8/NC and
金蝶 K/3/云星空 ledgers): one row per customer and month (or per customer,
month and product; the import adds them up), with revenue and cost or gross
margin, and optionally logistics, discount and support costs. Its headers are
English or Chinese, so the same layout serves the ``generic`` and the
``chinese_crm`` sources. It takes precedence over the CRM's won deals as the
revenue basis of the accounts it covers (docs/import.md, "ERP revenue").
"""

from __future__ import annotations

from workbench.ingest.sources.layout import ObjectLayout

_ALIASES: dict[str, tuple[str, ...]] = {
    "account_id": (
        "account_id",
        "customer_id",
        "Customer Number",
        "Customer No",
        "Customer No.",
        "Customer Code",
        "Sold-to party",
        "Sold-To",
        "KUNNR",
        "Bill-to Customer Number",
        "Account Number",
        "客户编码",
        "客户编号",
        "客户代码",
        "客户ID",
        "客戶編碼",
        "客戶編號",
        "客戶代碼",
    ),
    "account_name": (
        "account_name",
        "customer_name",
        "Customer Name",
        "Customer",
        "Name 1",
        "Account Name",
        "客户名称",
        "客户",
        "客戶名稱",
        "客戶",
    ),
    "month": (
        "month",
        "Posting Period",
        "Fiscal Period",
        "GL Period",
        "Period Name",
        "Period",
        "期间",
        "會計期間",
        "会计期间",
        "期間",
        "月份",
        "年月",
    ),
    "year": ("year", "Fiscal Year", "GJAHR", "年度", "会计年度", "會計年度", "年"),
    "revenue": (
        "revenue",
        "Net Revenue",
        "Revenue",
        "Net Sales",
        "Sales Revenue",
        "Revenue Amount",
        "Net Value",
        "Sales",
        "收入",
        "销售收入",
        "銷售收入",
        "营业收入",
        "營業收入",
        "主营业务收入",
        "收入金额",
        "销售额",
        "銷售額",
    ),
    "cost": (
        "cost",
        "COGS",
        "Cost of Goods Sold",
        "Cost of Sales",
        "Cost",
        "成本",
        "销售成本",
        "銷售成本",
        "营业成本",
        "營業成本",
        "主营业务成本",
    ),
    "margin": (
        "margin",
        "Gross Margin",
        "Gross Profit",
        "Margin",
        "毛利",
        "毛利额",
        "毛利額",
    ),
    "margin_pct": (
        "margin_pct",
        "Gross Margin %",
        "Margin %",
        "Gross Margin Pct",
        "毛利率",
        "毛利率(%)",
    ),
    "logistics_cost": (
        "logistics_cost",
        "Logistics Cost",
        "Freight",
        "Freight Cost",
        "Shipping Cost",
        "物流费用",
        "物流費用",
        "物流成本",
        "运费",
        "運費",
    ),
    "discount_cost": (
        "discount_cost",
        "Discount",
        "Discounts",
        "Rebates",
        "Sales Deductions",
        "折扣",
        "销售折扣",
        "銷售折扣",
        "折让",
        "折讓",
    ),
    "support_cost": (
        "support_cost",
        "Support Cost",
        "Service Cost",
        "服务费用",
        "服務費用",
        "售后服务费",
        "售後服務費",
        "支持费用",
    ),
}


def erp_layout(source: str) -> ObjectLayout:
    """Return the ERP revenue layout under ``source`` (``generic`` or ``chinese_crm``)."""
    return ObjectLayout(
        source,
        "ERP revenue",
        "erp_revenue",
        _ALIASES,
        ("month",),
        (
            "erprevenue",
            "erp",
            "revenue",
            "erpumsatz",
            "收入明细",
            "销售收入",
            "客户收入",
            "客户毛利",
        ),
    )
