"""The Traditional Chinese catalogue is written in Traditional characters.

A Taipei or Hong Kong reader notices a Simplified character at once, and the usual
slip is copying part of the Simplified translation of the same message. The check
uses a documented set: every character the Simplified catalogue used when the set was
made (December 2026) that is a Simplified form only, i.e. in OpenCC's
``STCharacters.txt`` table (Simplified → Traditional) it never maps to itself and it is
never a Traditional character in ``TSCharacters.txt``; characters that are valid in
both scripts (后, 里, 台, 只, 干, 面...) are not in it. docs/i18n.md ("Traditional
Chinese review") says how to extend it.
"""

from __future__ import annotations

from babel.messages.pofile import read_po

from workbench import i18n

#: Simplified-only characters (see the module's docstring for how they were chosen).
SIMPLIFIED_ONLY = frozenset(
    "与业两严个为义书乱争产仅从们优会传体侧倾储关内写冲决况净减击则刚创删别务动势区协单历压参双发变叠号听员响团围国图圆块声处"
    "备复够头夹实审宽对导将层属币师带帮并库应开弃张强归当录径怀态总悬战户执护报拟拥择挠损换摊数断无时显暂术机杂权条来构标栏树"
    "样检汇没测浏满潜点牵状独献现电盐盖码离称稳竞筛类红约级纳线组细织终经结绘给络绝统继绪续维绿编缩网罗职联节获营蓝见观规视览"
    "触计认讨议记许论设访证评识试诚话询该详语误说请读谁调谱贝负贡责账货质贬购贴费资赢趋转轴载较辑输边达迁过运还这进连迹选遗邮"
    "邻释针钟钮钱销错键长门问间阅阈队际险随隐难页顶项顺须预领题额风馈驱验骤鲜"
)


def _simplified_in(text: str) -> str:
    return "".join(sorted({c for c in text if c in SIMPLIFIED_ONLY}))


def test_the_set_knows_a_simplified_word_from_a_traditional_one():
    assert _simplified_in("导入数据，默认设置") == "导数认设"
    # 台, 里 and 后 are Traditional characters too
    assert _simplified_in("匯入資料，預設設定；台灣的里程、皇后") == ""
    assert all("\u4e00" <= character <= "\u9fff" for character in SIMPLIFIED_ONLY)


def test_no_traditional_translation_holds_a_simplified_only_character():
    path = i18n.LOCALE_DIR / "zh_Hant" / "LC_MESSAGES" / "workbench.po"
    with path.open("rb") as source:
        catalogue = read_po(source)
    found = {
        message.id: _simplified_in(translation)
        for message in catalogue
        if message.id and message.string
        for translation in (
            [message.string] if isinstance(message.string, str) else message.string
        )
        if _simplified_in(translation)
    }
    assert found == {}
