"""Numbers the Dutch way for `nl` organisations, English otherwise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.db import Database
from app.repositories.organisations import OrganisationRepository
from app.services.catalogue.demo import ensure_demo
from app.web.formatting import Numbers

DUTCH, ENGLISH = Numbers("nl"), Numbers("en")


def test_the_examples_of_the_contract() -> None:
    assert DUTCH.euro(1_250_000) == "€ 1.250.000"
    assert DUTCH.decimal(0.15) == "0,15"
    assert ENGLISH.euro(1_250_000) == "€1,250,000"
    assert ENGLISH.decimal(0.15) == "0.15"


@given(st.integers(min_value=0, max_value=10**12))
def test_a_dutch_euro_amount_reads_back_as_the_same_whole_euros(amount: int) -> None:
    text = DUTCH.euro(amount)
    assert text.startswith("€ ")
    digits = text.removeprefix("€ ")
    groups = digits.split(".")
    assert all(len(group) == 3 for group in groups[1:])
    assert 1 <= len(groups[0]) <= 3
    assert int("".join(groups)) == amount


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))
def test_a_dutch_decimal_has_a_comma_where_english_has_a_point(value: object) -> None:
    number = float(str(value))
    dutch, english = DUTCH.number(number, 2), ENGLISH.number(number, 2)
    assert dutch.replace(".", "").replace(",", ".") == english.replace(",", "")
    assert float(english.replace(",", "")) == round(number, 2)


def test_the_demo_organisation_writes_dutch(db: Database) -> None:
    with db.transaction() as session:
        ensure_demo(session, "Demo Utrecht")
    with db.read_transaction() as session:
        organisation = OrganisationRepository(session).by_name("Demo Utrecht")
        assert organisation is not None
        assert organisation.locale == "nl"
