"""Numbers on the pages the way the organisation writes them: Dutch for `nl` (€ 1.250.000,
0,15), English otherwise, through Babel's CLDR data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent


def babel_locale(locale: str) -> str:
    return "nl_NL" if locale.split("_")[0].split("-")[0].lower() == "nl" else "en_GB"


@dataclass(frozen=True)
class Numbers:
    """The page's number formats; also handed to the charts (`vega_locale`)."""

    locale: str

    @property
    def babel(self) -> str:
        return babel_locale(self.locale)

    @property
    def is_dutch(self) -> bool:
        return self.babel == "nl_NL"

    def euro(self, value: float | None) -> str:
        if value is None:
            return "–"
        pattern = "¤ #,##0" if self.is_dutch else "¤#,##0"
        return format_currency(round(value), "EUR", format=pattern, locale=self.babel,
                               currency_digits=False)

    def number(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.babel)

    def decimal(self, value: float | None, digits: int = 2) -> str:
        """At most `digits` decimals, trailing zeros dropped (0,15 not 0,150)."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.babel)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
        return format_percent(value, format=pattern if self.is_dutch else pattern.replace(
            " %", "%"), locale=self.babel)

    def vega_locale(self) -> dict[str, Any]:
        """d3-format's locale, so the charts' axes and tooltips match the tables."""
        if self.is_dutch:
            return {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}
        return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]}
