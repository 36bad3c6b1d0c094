"""Malformed records written on purpose, and the small helpers of the other kinds of noise.

Every daily file gets ``round(malformed_rate * lines)`` defective lines
(stochastic rounding, seeded per file), at positions drawn from the seed.
Each defect kind has one deterministic recipe per record type (``DEFECT_RECIPES``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.randomness import Stream, stream

BROKEN_JSON, WRONG_TYPE, MISSING_KEY, NEGATIVE_QUANTITY, FUTURE_TIMESTAMP = (
    "broken_json",
    "wrong_type",
    "missing_key",
    "negative_quantity",
    "future_timestamp",
)
FUTURE_YEARS = 5  #: a future timestamp is the true one moved this many years ahead
_FUTURE_MS = FUTURE_YEARS * 365 * 86_400_000
_BLOCK_BYTES = 1 << 23


@dataclass(frozen=True)
class DefectRecipe:
    """Where to damage a record of one type: the field paths (dotted; digits index lists)."""

    required_key: str  #: removed by missing_key
    wrong_type_key: str  #: replaced by a value of the wrong type
    timestamp_key: str  #: moved into the future
    timestamp_unit: str  #: "iso", "ms" or "us"
    quantity_keys: tuple[str, ...] = ()  #: made negative by negative_quantity: the first one present


POS_QUANTITY_KEYS = ("line_items.0.quantity", "returns.0.return_line_items.0.quantity")  # sales, returns
DEFECT_RECIPES: dict[str, DefectRecipe] = {
    "contact": DefectRecipe("properties", "archived", "updatedAt", "iso"),
    "email_event": DefectRecipe("recipient", "created", "created", "ms"),
    "feedback": DefectRecipe("properties.hs_contact_id", "properties.hs_response_value", "createdAt", "iso"),
    "ticket": DefectRecipe("properties.hs_contact_id", "properties.hs_ticket_priority", "createdAt", "iso"),
    "ga4_event": DefectRecipe("event_name", "event_timestamp", "event_timestamp", "us"),
    "pos_order": DefectRecipe("location_id", "total_money.amount", "closed_at", "iso", POS_QUANTITY_KEYS),
    "mention": DefectRecipe("published_at", "likes", "published_at", "iso"),
    "post": DefectRecipe("platform", "impressions", "published_at", "iso"),
}


def defects_for(record_type: str) -> tuple[str, ...]:
    """The defect kinds that apply to a record type."""
    kinds = [BROKEN_JSON, WRONG_TYPE, MISSING_KEY, FUTURE_TIMESTAMP]
    if DEFECT_RECIPES[record_type].quantity_keys:
        kinds.append(NEGATIVE_QUANTITY)
    return tuple(kinds)


def choose_malformed(
    seed: int, file_key: int, part: int, n_lines: int, rate: float, record_type: str
) -> dict[int, str]:
    """0-based line index -> defect, for a chunk of ``n_lines`` lines (deterministic per file and part)."""
    rng = stream(seed, Stream.MALFORMED, file_key, part)
    expected = rate * n_lines
    count = min(n_lines, int(expected) + int(rng.random() < expected - int(expected)))
    if count == 0:
        return {}
    lines = np.sort(rng.choice(n_lines, count, replace=False))
    kinds = defects_for(record_type)
    chosen = rng.integers(0, len(kinds), count)
    return {int(line): kinds[k] for line, k in zip(lines, chosen, strict=True)}


def damage(line: str, defect: str, record_type: str) -> str:
    """Return the line with the defect applied (without its newline)."""
    if defect == BROKEN_JSON:
        return line[: max(1, len(line) // 2)]
    record = json.loads(line)
    recipe = DEFECT_RECIPES[record_type]
    if defect == MISSING_KEY:
        parent, key = _parent(record, recipe.required_key)
        del parent[key]
    elif defect == WRONG_TYPE:
        _update(record, recipe.wrong_type_key, _wrong_type)
    elif defect == FUTURE_TIMESTAMP:
        _update(record, recipe.timestamp_key, _future(recipe.timestamp_unit))
    elif defect == NEGATIVE_QUANTITY:
        _update(record, present_path(record, recipe.quantity_keys), lambda value: str(-abs(int(value)) or -1))
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def copy_with_defects(
    source: Path, target: Path, defects: dict[int, str], record_type: str, append: bool
) -> int:
    """Stream ``source`` into ``target`` (appending or replacing), damaging the chosen lines; return lines.

    Blocks without a chosen line are copied as bytes; only blocks holding one are split into lines.
    """
    chosen = sorted(defects)
    lines_before = 0
    with source.open("rb") as reader, target.open("ab" if append else "wb") as out:
        leftover = b""
        while block := reader.read(_BLOCK_BYTES):
            block = leftover + block
            cut = block.rfind(b"\n") + 1
            complete, leftover = block[:cut], block[cut:]
            count = complete.count(b"\n")
            first = bisect.bisect_left(chosen, lines_before)
            if first < len(chosen) and chosen[first] < lines_before + count:
                complete = _damage_block(complete, lines_before, defects, record_type)
            out.write(complete)
            lines_before += count
        if leftover:
            raise ValueError(f"{source} does not end with a newline")
    return lines_before


def _damage_block(block: bytes, lines_before: int, defects: dict[int, str], record_type: str) -> bytes:
    lines = block.split(b"\n")[:-1]
    for index, line in enumerate(lines):
        defect = defects.get(lines_before + index)
        if defect is not None:
            lines[index] = damage(line.decode("utf-8"), defect, record_type).encode("utf-8")
    return b"\n".join(lines) + b"\n"


def present_path(record: dict[str, Any], paths: tuple[str, ...]) -> str:
    """The first of ``paths`` that exists in ``record``."""
    for path in paths:
        parent, key = _parent(record, path)
        try:
            parent[key]  # only checks that the field exists
        except (KeyError, IndexError, TypeError):
            continue
        return path
    raise KeyError(f"none of {paths} in the record")


def _parent(record: dict[str, Any], path: str) -> tuple[Any, Any]:
    keys: list[Any] = [int(part) if part.isdigit() else part for part in path.split(".")]
    node: Any = record
    for key in keys[:-1]:
        node = node[key] if isinstance(node, dict) or (isinstance(node, list) and key < len(node)) else None
    return node, keys[-1]


def _update(record: dict[str, Any], path: str, change: Callable[[Any], Any]) -> None:
    parent, key = _parent(record, path)
    parent[key] = change(parent[key])


def _wrong_type(value: Any) -> Any:
    """A value of the wrong type: numbers become text with a comma, text and bools become numbers."""
    if isinstance(value, bool):
        return "no" if not value else "yes"
    if isinstance(value, int | float):
        return f"{value / 100:.2f}".replace(".", ",")
    return {"value": value}


def _future(unit: str) -> Callable[[Any], Any]:
    def move(value: Any) -> Any:
        if unit == "ms":
            return int(value) + _FUTURE_MS
        if unit == "us":
            return int(value) + _FUTURE_MS * 1000
        return f"{int(value[:4]) + FUTURE_YEARS:04d}{value[4:]}"

    return move
