"""Instruments as data: validating a definition and scoring answers. Pure functions, no models.

A definition (parsed from YAML) has sections of items. Item types: ``single``, ``multiple``,
``scale`` (integers ``min``..``max``), ``number``, ``date``, ``text``. Choice options carry an
optional ``score``. An item may belong to a ``subscale`` and be ``reverse``-scored. ``scales``
sum subscales or items into totals with an optional ``cut_off``. Every item may be answered
"unknown" (``UNKNOWN``); unknown and missing items are left out of sums and counted, so that
completeness is visible.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "unknown"
ITEM_TYPES = {"single", "multiple", "scale", "number", "date", "text"}
TARGETS = {"person", "family"}


class DefinitionError(ValueError):
    """A malformed instrument; ``problems`` lists every problem in Japanese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def items_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for section in definition.get("sections", []) for item in section.get("items", [])]


def validate(definition: Any) -> dict[str, Any]:
    """Check a whole definition; raise DefinitionError listing every problem found."""
    problems: list[str] = []
    if not isinstance(definition, dict):
        raise DefinitionError(["定義の形式が正しくありません（YAMLの辞書ではありません）。"])
    for key in ("code", "version", "name", "target", "sections"):
        if key not in definition:
            problems.append(f"「{key}」がありません。")
    if "version" in definition and (not isinstance(definition["version"], int) or definition["version"] < 1):
        problems.append("version は1以上の整数にしてください。")
    if "target" in definition and definition["target"] not in TARGETS:
        problems.append("target は person か family にしてください。")
    sections = definition.get("sections")
    if "sections" in definition and (not isinstance(sections, list) or not sections):
        problems.append("sections に1つ以上のセクションを書いてください。")
        sections = []
    seen: set[str] = set()
    subscales: set[str] = set()
    for s_index, section in enumerate(sections or [], start=1):
        if not isinstance(section, dict) or not section.get("title") or not isinstance(section.get("items"), list):
            problems.append(f"セクション{s_index}: title と items が必要です。")
            continue
        for i_index, item in enumerate(section["items"], start=1):
            where = f"セクション{s_index}の項目{i_index}"
            if not isinstance(item, dict):
                problems.append(f"{where}: 形式が正しくありません。")
                continue
            item_id = item.get("id")
            if not item_id or not isinstance(item_id, str) or not item_id.isidentifier():
                problems.append(f"{where}: id は英数字とアンダースコアで書いてください。")
            elif item_id in seen:
                problems.append(f"{where}: id「{item_id}」が重複しています。")
            else:
                seen.add(item_id)
            if not item.get("text"):
                problems.append(f"{where}: text（質問文）がありません。")
            kind = item.get("type")
            if kind not in ITEM_TYPES:
                problems.append(f"{where}: type は {', '.join(sorted(ITEM_TYPES))} のいずれかにしてください。")
            if kind in ("single", "multiple"):
                options = item.get("options")
                if not isinstance(options, list) or not options:
                    problems.append(f"{where}: 選択肢（options）がありません。")
                else:
                    values = [o.get("value") if isinstance(o, dict) else None for o in options]
                    if any(
                        v is None or (isinstance(o, dict) and not o.get("label"))
                        for v, o in zip(values, options, strict=True)
                    ):
                        problems.append(f"{where}: 選択肢には value と label が必要です。")
                    if len(set(map(str, values))) != len(values):
                        problems.append(f"{where}: 選択肢の value が重複しています。")
                    if UNKNOWN in map(str, values):
                        problems.append(f"{where}: value「unknown」は「不明」のために予約されています。")
                    for option in options:
                        if (
                            isinstance(option, dict)
                            and "score" in option
                            and not isinstance(option["score"], int | float)
                        ):
                            problems.append(f"{where}: score は数値にしてください。")
            if kind == "scale":
                low, high = item.get("min"), item.get("max")
                if not isinstance(low, int) or not isinstance(high, int) or low >= high:
                    problems.append(f"{where}: scale には min < max の整数が必要です。")
            if item.get("reverse") and kind not in ("scale", "single"):
                problems.append(f"{where}: reverse は scale か single の項目にだけ使えます。")
            if item.get("subscale"):
                subscales.add(str(item["subscale"]))
    for s_index, scale in enumerate(definition.get("scales") or [], start=1):
        if not isinstance(scale, dict) or not scale.get("id") or not scale.get("label"):
            problems.append(f"合計{s_index}: id と label が必要です。")
            continue
        parts = scale.get("subscales", []) + scale.get("items", [])
        if not parts:
            problems.append(f"合計「{scale['id']}」: subscales か items を書いてください。")
        for name in scale.get("subscales", []):
            if name not in subscales:
                problems.append(f"合計「{scale['id']}」: 下位尺度「{name}」を使う項目がありません。")
        for name in scale.get("items", []):
            if name not in seen:
                problems.append(f"合計「{scale['id']}」: 項目「{name}」がありません。")
        if "cut_off" in scale and not isinstance(scale["cut_off"], int | float):
            problems.append(f"合計「{scale['id']}」: cut_off は数値にしてください。")
    if problems:
        raise DefinitionError(problems)
    return definition


def item_score(item: dict[str, Any], value: Any) -> float | None:
    """The score of one answer, or None when it does not count (unknown, missing, unscored)."""
    if value in (None, "", [], UNKNOWN):
        return None
    kind = item["type"]
    if kind == "scale":
        number = int(value)
        return float(item["min"] + item["max"] - number if item.get("reverse") else number)
    if kind == "single":
        options = item["options"]
        scored = [o for o in options if "score" in o]
        chosen = next((o for o in options if str(o["value"]) == str(value)), None)
        if chosen is None or "score" not in chosen:
            return None
        if item.get("reverse"):
            low = min(o["score"] for o in scored)
            high = max(o["score"] for o in scored)
            return float(low + high - chosen["score"])
        return float(chosen["score"])
    if kind == "multiple":
        chosen = {str(v) for v in value}
        scores = [o["score"] for o in item["options"] if str(o["value"]) in chosen and "score" in o]
        return float(sum(scores)) if scores else None
    if kind == "number" and item.get("scored"):
        return float(value)
    return None


@dataclass
class Completeness:
    answered: int = 0
    unknown: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.answered + self.unknown + len(self.missing)


def completeness(definition: dict[str, Any], answers: dict[str, Any]) -> Completeness:
    result = Completeness()
    for item in items_of(definition):
        value = answers.get(item["id"])
        if value == UNKNOWN:
            result.unknown += 1
        elif value in (None, "", []):
            result.missing.append(item["id"])
        else:
            result.answered += 1
    return result


def score(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Subscale sums and totals: {"subscales": {name: {"sum", "counted", "of"}},
    "scales": {id: {"label", "sum", "counted", "of", "cut_off", "above_cut_off"}}}."""
    by_id = {item["id"]: item for item in items_of(definition)}
    subscales: dict[str, dict[str, float | int]] = {}
    for item in by_id.values():
        name = item.get("subscale")
        if not name:
            continue
        entry = subscales.setdefault(str(name), {"sum": 0.0, "counted": 0, "of": 0})
        entry["of"] += 1
        value = item_score(item, answers.get(item["id"]))
        if value is not None:
            entry["sum"] += value
            entry["counted"] += 1
    scales: dict[str, dict[str, Any]] = {}
    for scale in definition.get("scales") or []:
        total, counted, of = 0.0, 0, 0
        for name in scale.get("subscales", []):
            part = subscales.get(name, {"sum": 0.0, "counted": 0, "of": 0})
            total += part["sum"]
            counted += int(part["counted"])
            of += int(part["of"])
        for item_id in scale.get("items", []):
            of += 1
            value = item_score(by_id[item_id], answers.get(item_id))
            if value is not None:
                total += value
                counted += 1
        cut_off = scale.get("cut_off")
        scales[scale["id"]] = {
            "label": scale["label"],
            "sum": total,
            "counted": counted,
            "of": of,
            "cut_off": cut_off,
            "above_cut_off": cut_off is not None and counted > 0 and total >= cut_off,
        }
    return {"subscales": subscales, "scales": scales}


def clean_answer(item: dict[str, Any], raw: Any) -> Any:
    """Normalise a stored answer to what scoring expects (dates as ISO strings)."""
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return raw
