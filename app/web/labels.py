"""Readable names for a scenario document's keys: domain labels, buurt and intervention names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Labels:
    domains: dict[str, str] = field(default_factory=dict)
    neighbourhoods: dict[str, str] = field(default_factory=dict)
    interventions: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, document: dict[str, Any]) -> Labels:
        def names(items: list[dict[str, Any]], key: str, name: str) -> dict[str, str]:
            return {item[key]: item.get(name) or item[key] for item in items}

        return cls(
            domains=names(document.get("domains") or [], "key", "label"),
            neighbourhoods=names(document.get("neighbourhoods") or [], "code", "name"),
            interventions=names(document.get("interventions") or [], "key", "name"),
            partners=names(document.get("partners") or [], "key", "name"),
        )

    def domain(self, key: str) -> str:
        return self.domains.get(key, key)

    def neighbourhood(self, code: str) -> str:
        return self.neighbourhoods.get(code, code)

    def intervention(self, key: str) -> str:
        return self.interventions.get(key, key)

    def partner(self, key: str) -> str:
        return self.partners.get(key, key)
