"""The gas meter exchange notification (ONUPD-style): the layout and a round trip."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.integrations.domain import gas_exchange
from kilowatt.platform.errors import InvalidInput

D = datetime.date
HEADER = gas_exchange.Header(
    file_id="G00000AB",
    originator="KWLT",
    recipient="XOSERVE",
    created_local=datetime.datetime(2026, 11, 24, 10, 30, 5),  # noqa: DTZ001 (UK clock)
)
EXCHANGE = gas_exchange.Exchange(
    mprn="3938424404",
    exchanged_on=D(2026, 11, 24),
    removed_serial="G4A12345678",
    final_read=Decimal("1500.5"),
    installed_serial="E6S00000001",
    meter_type="SMART",
    units="M",
    dials=5,
    first_read=Decimal("0"),
    certification_expires_on=D(2046, 11, 24),
)


def problem(text: str) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        gas_exchange.parse(text)
    (only,) = caught.value.problems
    return only.field, only.rule


def test_writes_text_quoted_and_numbers_and_dates_bare():
    text = gas_exchange.write(header=HEADER, exchanges=[EXCHANGE])

    assert text.splitlines() == [
        '"HEADR","ONUPD","KWLT","SUPP","XOSERVE","CDSP",20261124,"103005","G00000AB"',
        '"EXCHG",3938424404,20261124,"G4A12345678",1500.5,"E6S00000001","SMART","M",5,0,20461124',
        '"TRAIL",1',
    ]


def test_reads_back_to_the_same_exchange():
    parsed = gas_exchange.parse(gas_exchange.write(header=HEADER, exchanges=[EXCHANGE]))

    assert parsed.header == HEADER
    assert parsed.exchanges == (EXCHANGE,)


def test_names_the_line_field_and_rule_of_a_broken_file():
    good = gas_exchange.write(header=HEADER, exchanges=[EXCHANGE])

    assert problem(good.replace('"ONUPD"', '"ONJOB"')) == ("line 1: file_type", "file_type")
    assert problem(good.replace('"TRAIL",1', '"TRAIL",2')) == (
        "line 3: record_count",
        "trailer_count",
    )
    assert problem(good.replace("3938424404", "39384244X4")) == ("line 2: mprn", "mprn")
    assert problem(good.replace('"TRAIL",1\n', "")) == ("line 2: TRAIL", "trailer_missing")
    with pytest.raises(InvalidInput):
        gas_exchange.write(
            header=gas_exchange.Header(**{**HEADER.__dict__, "file_id": "G123456789"}), exchanges=[]
        )


readings = st.decimals(min_value=Decimal(0), max_value=Decimal("99999.999"), places=3)


@given(
    exchanges=st.lists(
        st.builds(
            gas_exchange.Exchange,
            mprn=st.from_regex(r"\A\d{10}\Z"),
            exchanged_on=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 1, 1)),
            removed_serial=st.text(alphabet='AZ09 ,"', min_size=1, max_size=12),
            final_read=readings,
            installed_serial=st.text(alphabet="AZ09", min_size=1, max_size=12),
            meter_type=st.sampled_from(["CREDIT", "PREPAYMENT", "SMART"]),
            units=st.sampled_from(["M", "I"]),
            dials=st.integers(min_value=4, max_value=10),
            first_read=readings,
            certification_expires_on=st.none()
            | st.dates(min_value=D(2000, 1, 1), max_value=D(2080, 1, 1)),
        ),
        max_size=4,
    )
)
def test_any_exchanges_written_read_back_the_same(exchanges):
    parsed = gas_exchange.parse(gas_exchange.write(header=HEADER, exchanges=exchanges))

    assert parsed.exchanges == tuple(exchanges)
