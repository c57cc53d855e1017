"""Add this branch's messages to the catalogues (read_po/write_po, sorted, no locations)."""

from babel.messages.pofile import read_po, write_po

T = {
    "Executive": ("高管", "高管"),
    "Key account manager": ("大客户经理", "大客戶經理"),
    "Field sales": ("外勤销售", "外勤銷售"),
    "Inside sales": ("内勤销售", "內勤銷售"),
    "Presales / solution engineer": ("售前 / 解决方案工程师", "售前 / 解決方案工程師"),
    "Service": ("服务", "服務"),
    "every hour at its seller's role or team rate": (
        "每小时按其销售人员的角色或团队费率计",
        "每小時按其銷售人員的角色或團隊費率計",
    ),
    "every hour at the flat hourly cost (no role known)": (
        "每小时按统一小时成本计（角色未知）",
        "每小時按統一小時成本計（角色未知）",
    ),
    "hours at role rates, the rest at the flat hourly cost": (
        "部分工时按角色费率计，其余按统一小时成本计",
        "部分工時按角色費率計，其餘按統一小時成本計",
    ),
    "no hours logged": ("没有记录工时", "沒有記錄工時"),
    "the years left on the contract in force": (
        "现行合同的剩余年数",
        "現行合約的剩餘年數",
    ),
    "the portfolio's measured retention": (
        "客户组合实测的留存率",
        "客戶組合實測的留存率",
    ),
    "the option: retention not measurable": (
        "选项值：留存率无法测算",
        "選項值：留存率無法測算",
    ),
    "wallet estimated by hand": ("手工估算的钱包", "手動估算的錢包"),
    "imported wallet estimate": ("导入的钱包估算", "匯入的錢包估算"),
    "the industry's share of the customer's revenue": (
        "按行业设定的客户营收占比",
        "按產業設定的客戶營收佔比",
    ),
    "the default share of the customer's revenue": (
        "默认的客户营收占比",
        "預設的客戶營收佔比",
    ),
    "Team “{team}”": ("团队“{team}”", "團隊「{team}」"),
    "Each logged hour costs its seller's rate: the role comes from the seller's team and title; a team can have a rate of its own. Sellers whose role nobody can tell, and activities naming no seller, cost the flat hourly cost ({flat}). Defaults: rough fully loaded costs (salary, on-costs, travel, tools over about 1,600 working hours a year); set your own.": (
        "每个记录的工时按其销售人员的费率计：角色取自销售人员的团队和职位；团队也可以有自己的费率。无法判断角色的销售人员以及未注明销售人员的活动，按统一小时成本（{flat}）计。默认值是粗略的全成本（薪资、附加人工成本、差旅、工具，按每年约 1,600 个工作小时分摊）；请设定你们自己的值。",
        "每個記錄的工時按其銷售人員的費率計：角色取自銷售人員的團隊和職稱；團隊也可以有自己的費率。無法判斷角色的銷售人員以及未註明銷售人員的活動，按統一小時成本（{flat}）計。預設值是粗略的全成本（薪資、附加人事成本、差旅、工具，按每年約 1,600 個工作小時分攤）；請設定你們自己的值。",
    ),
    "{sellers} sellers; default {default}": (
        "{sellers} 名销售人员；默认 {default}",
        "{sellers} 名銷售人員；預設 {default}",
    ),
    "Add a rate for one team (its exact name)": (
        "为某个团队添加费率（团队的准确名称）",
        "為某個團隊新增費率（團隊的準確名稱）",
    ),
    "Its hourly cost ({currency})": (
        "其小时成本（{currency}）",
        "其小時成本（{currency}）",
    ),
    "Save hourly costs": ("保存小时成本", "儲存小時成本"),
    "Hourly costs saved.": ("小时成本已保存。", "小時成本已儲存。"),
    "Where no wallet estimate is known, an account's potential is this percentage of its annual revenue; empty: the default, {default} percent (the sidebar's “Wallet when unknown”).": (
        "没有钱包估算时，客户的潜力为其年营收的这个百分比；留空：使用默认值 {default} %（侧边栏的“Wallet when unknown”）。",
        "沒有錢包估算時，客戶的潛力為其年營收的這個百分比；留空：使用預設值 {default} %（側邊欄的「Wallet when unknown」）。",
    ),
    "No industries on the accounts yet.": (
        "客户上还没有行业信息。",
        "客戶上還沒有產業資訊。",
    ),
    "{industry} ({accounts} accounts): percentage of revenue": (
        "{industry}（{accounts} 个客户）：占营收百分比",
        "{industry}（{accounts} 個客戶）：佔營收百分比",
    ),
    "Save wallet shares": ("保存钱包占比", "儲存錢包佔比"),
    "Wallet shares saved.": ("钱包占比已保存。", "錢包佔比已儲存。"),
    "Account": ("客户", "客戶"),
    "Cost to serve, 12 months": ("服务成本（12 个月）", "服務成本（12 個月）"),
    "Contribution": ("贡献", "貢獻"),
    "Lifetime value": ("终身价值", "終身價值"),
    "Potential": ("潜力", "潛力"),
    "Hours: {basis}. Lifetime value = contribution × {years} years ({source}). Potential: {potential}.": (
        "工时：{basis}。终身价值 = 贡献 × {years} 年（{source}）。潜力：{potential}。",
        "工時：{basis}。終身價值 = 貢獻 × {years} 年（{source}）。潛力：{potential}。",
    ),
    "Line": ("项目", "項目"),
    "Hours": ("工时", "工時"),
    "Hourly cost ({currency})": ("小时成本（{currency}）", "小時成本（{currency}）"),
    "Cost ({currency})": ("成本（{currency}）", "成本（{currency}）"),
    "Basis": ("依据", "依據"),
    "Wallet a year ({currency}), estimated by hand": (
        "每年钱包（{currency}），手工估算",
        "每年錢包（{currency}），手動估算",
    ),
    "Where the estimate comes from": ("估算的来源", "估算的來源"),
    "Save the wallet (empty: forget it)": (
        "保存钱包（留空：删除估算）",
        "儲存錢包（留空：刪除估算）",
    ),
    "Wallet estimate saved.": ("钱包估算已保存。", "錢包估算已儲存。"),
    "Cost to serve, lifetime value and wallets": (
        "服务成本、终身价值与钱包",
        "服務成本、終身價值與錢包",
    ),
    "Lifetime value counts {years} years: retention {rate} % measured ({retained} of {account_years} accounts with revenue in a year kept it the next, {pairs} pairs of years; at most {horizon} years).": (
        "终身价值计 {years} 年：实测留存率 {rate} %（某年有营收的 {account_years} 个客户年中，有 {retained} 个次年仍有营收，共 {pairs} 组相邻年份；最多 {horizon} 年）。",
        "終身價值計 {years} 年：實測留存率 {rate} %（某年有營收的 {account_years} 個客戶年中，有 {retained} 個次年仍有營收，共 {pairs} 組相鄰年份；最多 {horizon} 年）。",
    ),
    "Lifetime value counts {years} years, the option: {account_years} account-years of revenue history are too few to measure retention (at least {needed}).": (
        "终身价值计 {years} 年（选项值）：营收历史只有 {account_years} 个客户年，不足以测算留存率（至少需要 {needed} 个）。",
        "終身價值計 {years} 年（選項值）：營收歷史只有 {account_years} 個客戶年，不足以測算留存率（至少需要 {needed} 個）。",
    ),
    "One account's cost to serve and wallet": (
        "单个客户的服务成本与钱包",
        "單一客戶的服務成本與錢包",
    ),
    "Hourly cost per seller role or team": (
        "各销售角色或团队的小时成本",
        "各銷售角色或團隊的小時成本",
    ),
    "Wallet share of revenue per industry": (
        "各行业的钱包营收占比",
        "各產業的錢包營收佔比",
    ),
    "Most valuable ranked by": ("最有价值客户的排序依据", "最有價值客戶的排序依據"),
    "lifetime value": ("终身价值", "終身價值"),
    "12-month contribution": ("12 个月贡献", "12 個月貢獻"),
    "Lifetime value = contribution × the years an account is expected to stay (the portfolio's measured retention, or the contract in force).": (
        "终身价值 = 贡献 × 客户预计留存的年数（客户组合实测的留存率，或现行合同）。",
        "終身價值 = 貢獻 × 客戶預計留存的年數（客戶組合實測的留存率，或現行合約）。",
    ),
    "Most growable: weight of headroom in the growth score, %": (
        "最具成长性客户：增长空间在成长评分中的权重 %",
        "最具成長性客戶：成長空間在成長評分中的權重 %",
    ),
    "The rest is the signs the headroom can be won: open pipeline, revenue trend, deciders and approvers engaged, sentiment.": (
        "其余部分是增长空间能够赢得的迹象：在途商机、营收趋势、已接触的决策者和批准者、客户态度。",
        "其餘部分是成長空間能夠贏得的跡象：進行中商機、營收趨勢、已接觸的決策者和核准者、客戶態度。",
    ),
}


for idx, loc in enumerate(("zh_Hans", "zh_Hant")):
    path = f"workbench/locale/{loc}/LC_MESSAGES/workbench.po"
    with open(path, "rb") as f:
        cat = read_po(f)
    added = 0
    for msg, pair in T.items():
        existing = cat.get(msg)
        if existing is not None and existing.string:
            continue
        cat.add(msg, pair[idx])
        added += 1
    with open(path, "wb") as f:
        write_po(
            f, cat, sort_output=True, omit_header=False, no_location=True, width=88
        )
    print(loc, added)
path = "workbench/locale/workbench.pot"
with open(path, "rb") as f:
    pot = read_po(f)
for msg in T:
    if msg not in pot:
        pot.add(msg)
with open(path, "wb") as f:
    write_po(f, pot, sort_output=True, no_location=True, width=76)
