"""The model report as text, for `moderation model report`."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from moderation.errors import validation_error


def parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise validation_error("since", f"not a date-time: {value!r} (e.g. 2026-11-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise validation_error("since", "give a UTC offset, e.g. 2026-11-01T00:00:00Z")
    return moment


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render(report: dict[str, Any]) -> str:
    if not report["groups"]:
        return "no labels yet: decide comments in the queue, or send comments:suggestscore"
    lines = []
    for group in report["groups"]:
        sources = ", ".join(f"{count} from {name}" for name, count in group["sources"].items() if count)
        lines.append(f"{group['model']} / {group['language'] or 'undetermined'}: {group['labels']} labels "
                     f"({group['rejections']} rejected; {sources})")
        lines.append("  class              AUC    AP     auto_reject_above (precision, decided)   "
                     "auto_approve_below (missed, decided)")
        for name, metrics in group["classes"].items():
            reject, approve = metrics["auto_reject_above"], metrics["auto_approve_below"]
            reject_text = (f"{reject['threshold']:.3f} ({reject['precision']:.3f}, {reject['decided']})"
                           if reject else "-")
            approve_text = (f"{approve['threshold']:.3f} ({approve['missed_rejections']}, {approve['decided']})"
                            if approve else "-")
            note = f"  [{metrics['note']}]" if metrics.get("note") else ""
            lines.append(f"  {name:<18} {_number(metrics['roc_auc']):<6} {_number(metrics['average_precision']):<6} "
                         f"{reject_text:<40} {approve_text}{note}")
    return "\n".join(lines)
