"""NPS survey export headers: synonyms per language and the recognition of a survey file."""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

_HEADER_NOISE = re.compile(r"[\s_\-./:()]+")


def normalise_header(header: str) -> str:
    """Return a header in a comparable form: lower case, no spaces or punctuation."""
    return _HEADER_NOISE.sub("", header.strip().lstrip("\ufeff").casefold())


#: Headers that name each field, in the languages our customers export in.
#: Compared after :func:`normalise_header` (case, spaces and
#: punctuation do not matter).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "account": (
        "account",
        "account_id",
        "account id",
        "accountid",
        "account name",
        "account_name",
        "company",
        "company name",
        "customer",
        "customer name",
        "organisation",
        "organization",
        "客户",
        "客户名称",
        "客户编号",
        "客户id",
        "公司",
        "公司名称",
        "客戶",
        "客戶名稱",
        "公司名稱",
        "kunde",
        "kundenname",
        "kundennummer",
        "firma",
        "unternehmen",
        "cuenta",
        "empresa",
        "cliente",
        "nombre de la empresa",
        "compte",
        "entreprise",
        "société",
        "societe",
        "client",
    ),
    "contact": (
        "contact",
        "contact_id",
        "contact id",
        "contactid",
        "respondent id",
        "externalreference",
        "external reference",
        "externaldatareference",
        "联系人",
        "联系人id",
        "联系人编号",
        "聯絡人",
        "聯絡人id",
        "kontakt",
        "kontakt id",
        "ansprechpartner",
        "contacto",
        "id de contacto",
        "id contact",
        "interlocuteur",
    ),
    "email": (
        "email",
        "e-mail",
        "mail",
        "email address",
        "e-mail address",
        "recipientemail",
        "recipient email",
        "respondent email",
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
        "電子郵件",
        "郵箱",
        "e-mail-adresse",
        "emailadresse",
        "correo",
        "correo electrónico",
        "correo electronico",
        "courriel",
        "adresse e-mail",
        "adresse email",
    ),
    "date": (
        "date",
        "responded_on",
        "response date",
        "survey date",
        "recordeddate",
        "recorded date",
        "enddate",
        "end date",
        "submitted",
        "submitted at",
        "日期",
        "回复日期",
        "填写日期",
        "提交时间",
        "回覆日期",
        "填寫日期",
        "datum",
        "antwortdatum",
        "fecha",
        "fecha de respuesta",
        "date de réponse",
        "date de reponse",
    ),
    "score": (
        "score",
        "nps",
        "nps score",
        "npsscore",
        "likelihood to recommend",
        "recommend",
        "recommendation score",
        "评分",
        "分数",
        "得分",
        "推荐",
        "推荐度",
        "推荐分",
        "推荐值",
        "评分010",
        "評分",
        "分數",
        "nps-wert",
        "bewertung",
        "punktzahl",
        "empfehlung",
        "weiterempfehlung",
        "puntuación",
        "puntuacion",
        "calificación",
        "calificacion",
        "recomendación",
        "note",
        "score nps",
        "note nps",
        "recommandation",
    ),
    "comment": (
        "comment",
        "comments",
        "feedback",
        "reason",
        "verbatim",
        "remarks",
        "评论",
        "意见",
        "备注",
        "评语",
        "原因",
        "留言",
        "評論",
        "意見",
        "備註",
        "kommentar",
        "anmerkung",
        "begründung",
        "begruendung",
        "comentario",
        "comentarios",
        "motivo",
        "commentaire",
        "commentaires",
        "remarque",
        "raison",
    ),
    "survey_type": (
        "survey_type",
        "survey type",
        "surveytype",
        "nps type",
        "nps_type",
        "survey kind",
        "调查类型",
        "问卷类型",
        "調查類型",
        "umfragetyp",
        "umfrageart",
        "tipo de encuesta",
        "type d'enquête",
        "type d'enquete",
    ),
    "response_id": (
        "response_id",
        "response id",
        "responseid",
        "survey response id",
        "答卷编号",
        "回复编号",
        "antwort-id",
        "id de respuesta",
        "id de réponse",
    ),
}

#: Words in a survey-type value that mark a touchpoint (transactional) survey and
#: a relationship survey; anything else is left to the choice made at import.
TOUCHPOINT_WORDS: tuple[str, ...] = (
    "touch",
    "transaction",
    "触点",
    "交易",
    "事务",
    "接触点",
    "kontaktpunkt",
    "transaktion",
    "transacc",
    "point de contact",
)
RELATIONSHIP_WORDS: tuple[str, ...] = (
    "relation",
    "关系",
    "關係",
    "beziehung",
    "relación",
    "relacion",
)

#: Words in a question's text (or a header) that mark the recommend question.
RECOMMEND_WORDS: tuple[str, ...] = (
    "recommend",
    "推荐",
    "推薦",
    "empfehlen",
    "recomend",
    "recommand",
    "net promoter",
)
#: Words in a question's text that mark the "why?" follow-up.
COMMENT_WORDS: tuple[str, ...] = (
    "why",
    "reason",
    "comment",
    "为什么",
    "原因",
    "為什麼",
    "warum",
    "por qué",
    "pourquoi",
)

SOURCE_PLAIN = "survey"
SOURCE_QUALTRICS = "qualtrics"
#: Data rows of a Qualtrics export start after this many header rows.
QUALTRICS_HEADER_ROWS = 3

NORMALISED_SYNONYMS: dict[str, frozenset[str]] = {
    name: frozenset(normalise_header(s) for s in synonyms)
    for name, synonyms in HEADER_SYNONYMS.items()
}


def field_of(header: str) -> str | None:
    """Return the survey field a header names (``score``, ``email``, …), if any."""
    key = normalise_header(header)
    for name, synonyms in NORMALISED_SYNONYMS.items():
        if key in synonyms:
            return name
    return None


def mentions(text: str | None, words: Iterable[str]) -> bool:
    """Return whether text contains any of the words, case-insensitively."""
    lowered = (text or "").casefold()
    return any(word in lowered for word in words)


def looks_like_survey(columns: list[str]) -> bool:
    """Return whether a file's header looks like an NPS survey export.

    True for a Qualtrics export (``ResponseId`` with ``RecordedDate`` or
    ``StartDate``) and for a plain table with a score column ("score", "NPS",
    "推荐", "Bewertung", …) and a column linking to an account, contact or e-mail.
    A CRM export with a "Rating" or "HubSpot Score" column is not a survey.
    """
    keys = {normalise_header(c) for c in columns}
    if "responseid" in keys and keys & {"recordeddate", "startdate"}:
        return True
    fields = {field_of(c) for c in columns}
    has_score = "score" in fields or any(mentions(c, RECOMMEND_WORDS) for c in columns)
    return has_score and bool(fields & {"account", "contact", "email"})


def is_qualtrics(table: pl.DataFrame) -> bool:
    """Return whether the frame's first two data rows are Qualtrics header rows."""
    if table.height < 2:
        return False
    second = [v for v in table.row(1) if v is not None]
    return any(str(v).lstrip().startswith('{"ImportId"') for v in second)
