"""Chinese CRMs (Simplified and Traditional headers): header dictionaries."""

from __future__ import annotations

from workbench.ingest.sources.layout import ObjectLayout

_CN_ACCOUNT_NAME = ("客户名称", "客戶名稱", "公司名称", "公司名稱", "客户", "客戶")
_CN_OWNER = ("负责人", "負責人", "销售负责人", "客户经理", "業務負責人")
OBJECTS = (
    ObjectLayout(
        "chinese_crm",
        "客户",
        "accounts",
        {
            "account_id": ("客户编号", "客户ID", "客戶編號", "客户代码"),
            "name": _CN_ACCOUNT_NAME,
            "industry": ("行业", "行業", "所属行业"),
            "region": ("区域", "區域", "大区", "地区"),
            "country": ("国家", "國家"),
            "annual_revenue": ("年收入", "营业收入", "年營收"),
            "employees": ("员工人数", "員工人數", "人员规模"),
            "parent_account_name": ("上级客户", "母公司", "上級客戶"),
            "owner_seller_name": _CN_OWNER,
            "created_on": ("创建日期", "建立日期", "创建时间"),
        },
        ("name",),
        ("客户", "客戶", "accounts"),
    ),
    ObjectLayout(
        "chinese_crm",
        "联系人",
        "contacts",
        {
            "contact_id": ("联系人编号", "联系人ID", "聯絡人編號", "聯絡人ID"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "name": ("联系人", "聯絡人", "联系人姓名", "聯絡人姓名", "姓名"),
            "title": ("职务", "職稱", "职位", "職務"),
            "department": ("部门", "部門"),
            "reports_to_name": ("直属上级", "直屬上級", "上级", "上級", "汇报对象"),
            "buying_role": ("采购角色", "採購角色", "角色"),
            "influence": ("影响力", "影響力"),
            "attitude": ("态度", "態度"),
            "email": ("邮箱", "电子邮件", "電子郵件", "邮件"),
            "phone": ("电话", "手机", "電話", "手機"),
        },
        ("name",),
        ("联系人", "聯絡人", "contacts"),
    ),
    ObjectLayout(
        "chinese_crm",
        "拜访记录",
        "activities",
        {
            "activity_id": ("拜访编号", "活动编号", "拜訪編號", "记录编号"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "contact_name": ("联系人", "聯絡人", "拜访对象", "拜訪對象"),
            "seller_name": _CN_OWNER,
            "kind": ("拜访方式", "拜訪方式", "方式", "活动类型"),
            "activity_date": ("拜访日期", "拜訪日期", "日期", "活动日期"),
            "duration_minutes": ("时长", "時長", "时长分钟", "時長分鐘"),
            "subject": ("主题", "主題", "内容", "拜访内容", "拜訪內容"),
        },
        ("activity_date",),
        ("拜访记录", "拜訪記錄", "activities"),
    ),
    ObjectLayout(
        "chinese_crm",
        "商机",
        "opportunities",
        {
            "opportunity_id": ("商机编号", "商機編號", "商机ID"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "name": ("商机名称", "商機名稱"),
            "stage": ("阶段", "階段", "销售阶段"),
            "amount": ("金额", "金額", "预计金额", "預估金額"),
            "close_date": ("预计成交日期", "成交日期", "預計成交日期"),
            "owner_seller_name": _CN_OWNER,
        },
        ("name", "stage"),
        ("商机", "商機", "opportunities"),
    ),
)
