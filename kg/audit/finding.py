"""A finding of the audit: a value naming the item, the kind of defect and its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    item: int
    kind: str
    severity: str  # error, warning
    message: str
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
        }
