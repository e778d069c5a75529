"""The columns of each kind of ledger: the template's headings (Japanese: they are the file's format,
which the ward's staff read and write), whether a value is required, an example row and the
allowed values that the template's second sheet lists.

The headings of a file that differ (「氏名（姓）」 for 「姓」) are matched by the column mapping
step; a heading listed in ``aliases`` is matched without asking.
"""

import unicodedata
from dataclasses import dataclass, field

from tsunagu.cases.models import CaseStatus, ClosureReason, SharingBasis
from tsunagu.imports import cells
from tsunagu.imports.models import Kind
from tsunagu.intake.models import Channel, Concern, ContactType, FamilyRelation, Screening
from tsunagu.people.models import DECADE_CHOICES, Disability, GoingOut, Relation, Sex
from tsunagu.records.models import Method


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool = False
    example: str = ""
    choices: cells.ChoiceReader | None = None
    note: str = ""
    aliases: tuple[str, ...] = field(default=())

    def names(self) -> set[str]:
        return {heading_key(self.heading), *(heading_key(a) for a in self.aliases)}


def heading_key(text: str) -> str:
    """Headings compared without width, spaces or a trailing 「（必須）」."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    for mark in ("(必須)", "*", "※"):
        value = value.replace(mark, "")
    return value.replace(" ", "").replace("\u3000", "").lower()


SEX = cells.ChoiceReader(Sex, extra={"男": Sex.MALE, "女": Sex.FEMALE})
RELATION = cells.ChoiceReader(
    Relation, extra={"本人": Relation.UNKNOWN, "長男": Relation.SON, "長女": Relation.DAUGHTER}
)
DISABILITY = cells.ChoiceReader(Disability)
GOING_OUT = cells.ChoiceReader(GoingOut)
DECADE = cells.ChoiceReader(DECADE_CHOICES, extra={f"{d}": d for d in range(10, 90, 10)})
CHANNEL = cells.ChoiceReader(Channel)
CONTACT_TYPE = cells.ChoiceReader(ContactType)
FAMILY_RELATION = cells.ChoiceReader(FamilyRelation)
CONCERN = cells.ChoiceReader(Concern)
SCREENING = cells.ChoiceReader(Screening)
SHARING = cells.ChoiceReader(SharingBasis, extra={"同意": SharingBasis.CONSENT})
CASE_STATUS = cells.ChoiceReader(CaseStatus)
CLOSURE = cells.ChoiceReader(ClosureReason)
METHOD = cells.ChoiceReader(Method)
YES_NO = ("はい", "いいえ")

PERSONS = (
    Column("household_ref", "世帯番号", required=True, example="A-0001", aliases=("世帯No", "世帯ID")),
    Column("person_ref", "人番号", example="A-0001-1", note="支援経過記録の「対象者」から参照するときに使います"),
    Column("household_label", "世帯の呼び名", example="池尻の見本さん宅"),
    Column("postal_code", "郵便番号", example="154-0001"),
    Column("address", "住所", example="世田谷区池尻一丁目"),
    Column("district", "地区", example="池尻", note="地区の名称またはコード。空欄なら郵便番号から補います"),
    Column("household_phone", "世帯の電話番号", example="03-0000-0000"),
    Column("family_name", "姓", example="見本", aliases=("氏",)),
    Column("given_name", "名", example="一郎"),
    Column("family_name_kana", "セイ", example="ミホン", aliases=("姓（カナ）", "せい")),
    Column("given_name_kana", "メイ", example="イチロウ", aliases=("名（カナ）", "めい")),
    Column("label", "呼び名", example="", note="氏名が分からないとき（例：相談者の長男（50代））"),
    Column("sex", "性別", example="男性", choices=SEX),
    Column("birth_date", "生年月日", example="平成2年5月10日", note="和暦（令和7年4月1日、R7.4.1）または西暦"),
    Column("approx_decade", "おおよその年代", example="", choices=DECADE),
    Column("relation", "続柄", example="息子", choices=RELATION, aliases=("世帯での続柄",)),
    Column("is_concerned", "支援の対象者", example="はい", note="「はい」「いいえ」"),
    Column("disability", "障害", example="不明", choices=DISABILITY),
    Column("withdrawal_since", "ひきこもり状態になった時期", example="平成18年ごろ"),
    Column("going_out", "外出の状況", example="", choices=GOING_OUT),
    Column("phone", "電話番号", example=""),
    Column(
        "not_duplicate",
        "別人として登録",
        example="",
        note="似た人がいると確認したうえで別の人として登録するとき「はい」",
    ),
)

CONSULTATIONS = (
    Column("ref", "受付番号", example="R7-0001", note="台帳の番号（省略可）"),
    Column("received_on", "受付日", required=True, example="令和7年4月1日"),
    Column("received_time", "受付時刻", example="10:30"),
    Column("channel", "相談の方法", required=True, example="電話", choices=CHANNEL),
    Column("contact_type", "相談者", required=True, example="家族", choices=CONTACT_TYPE),
    Column("contact_relation", "本人との関係", example="母", choices=FAMILY_RELATION),
    Column("contact_agency", "相談元の機関", example="", note="機関の名称またはコード"),
    Column("contact_name", "相談者の氏名", example="見本 花子"),
    Column("contact_phone", "相談者の電話番号", example="03-0000-0000", aliases=("電話番号",)),
    Column(
        "concerns", "相談内容", example="ひきこもり・不登校、家族関係", choices=CONCERN, note="複数は「、」で区切る"
    ),
    Column("main_concern", "主な相談内容", example="ひきこもり・不登校", choices=CONCERN),
    Column("summary", "相談の概要", required=True, example="息子が数年、部屋から出てこない。"),
    Column("urgent", "緊急", example="いいえ", note="「はい」「いいえ」"),
    Column("screening", "スクリーニング結果", example="継続支援", choices=SCREENING),
    Column("household_ref", "世帯番号", example="A-0001", note="「世帯と人」で取り込んだ世帯（省略可）"),
)

CASES = (
    Column("ref", "ケース番号", required=True, example="C-0001", note="台帳の番号。支援経過記録から参照します"),
    Column("household_ref", "世帯番号", required=True, example="A-0001", note="「世帯と人」で取り込んだ世帯"),
    Column("lead", "主担当機関", required=True, example="メルクマールせたがや", note="機関の名称またはコード"),
    Column("partners", "協力機関", example="", note="複数は「、」で区切る"),
    Column("sharing_basis", "情報共有の根拠", required=True, example="本人（または家族）の同意", choices=SHARING),
    Column("opened_on", "開始日", required=True, example="令和7年4月10日"),
    Column("status", "状態", example="支援中", choices=CASE_STATUS),
    Column("closed_on", "終結日", example=""),
    Column("closure_reason", "終結の理由", example="", choices=CLOSURE),
)

RECORDS = (
    Column("case_ref", "ケース番号", required=True, example="C-0001", note="台帳のケース番号、またはK-000123"),
    Column("occurred_on", "日付", required=True, example="令和7年4月15日"),
    Column("method", "方法", required=True, example="訪問", choices=METHOD),
    Column("reached", "会えた", required=True, example="はい", note="本人・家族と会えた／話せた：「はい」「いいえ」"),
    Column("summary", "内容", required=True, example="自宅を訪問し、母親と面談した。"),
    Column("next_action", "次の対応", example="2週間後に再訪問"),
    Column("next_action_on", "次の対応の予定日", example="令和7年4月29日"),
    Column("persons", "対象者", example="A-0001-1", note="人番号。複数は「、」で区切る。空欄なら世帯の支援の対象者"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.PERSONS: PERSONS,
    Kind.CONSULTATIONS: CONSULTATIONS,
    Kind.CASES: CASES,
    Kind.RECORDS: RECORDS,
}

# The file name of each kind's template (what the ward calls the ledger).
TEMPLATE_NAMES = {
    Kind.PERSONS: "世帯と人",
    Kind.CONSULTATIONS: "相談受付台帳",
    Kind.CASES: "支援ケース一覧",
    Kind.RECORDS: "支援経過記録",
}


def auto_mapping(kind: str, headings: list[str]) -> dict[str, int]:
    """Each column of the kind → the index of the file's heading that names it (the same or an
    alias), for the headings that match."""
    found: dict[str, int] = {}
    keys = [heading_key(h) for h in headings]
    for column in COLUMNS[kind]:
        names = column.names()
        for index, key in enumerate(keys):
            if key and key in names and index not in found.values():
                found[column.key] = index
                break
    return found
