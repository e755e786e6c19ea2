"""Writing and parsing D0150 (meter technical details) files: the layout, a round trip."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.integrations.domain import d0150, dtc
from kilowatt.platform.errors import InvalidInput

D = datetime.date
HEADER = dtc.Header(
    file_id="M000000042",
    from_role="M",
    from_participant="KWLT",
    to_role="D",
    to_participant="UDMS",
    created_local=datetime.datetime(2026, 11, 24, 10, 30),  # noqa: DTZ001 (UK clock)
)
EXCHANGE = d0150.MeterTechnicalDetails(
    mpan_core="2300000000017",
    effective_from=D(2026, 11, 24),
    contractor="KWLT",
    installed=(
        d0150.InstalledMeter(
            meter_id="SMRT0001",
            meter_type="S2A",
            installed_on=D(2026, 11, 24),
            certified_on=D(2026, 11, 24),
            certification_expires_on=D(2036, 11, 24),
            retrieval_method="R",
            registers=(
                d0150.Register(register_id="01", digits=6),
                d0150.Register(register_id="02", digits=6),
            ),
        ),
    ),
    removed=(d0150.RemovedMeter(meter_id="K12345678", removed_on=D(2026, 11, 24)),),
)
# The layout of a public D0150 sample (flowtocsv's test, dates made real): 288 > 289,
# 290 > 293, 08A, the 290 group 25 fields with ten empty outstation fields.
SAMPLE = """ZHV|99999|D0150001|M|LBSL|X|NEEB|20200101182352||||TR01|
288|1272273439963|20200101|D|x|
289|0158|20200101|Z||
290|XXXTEST011|||40|F|L&G CL27|LBSL|||||||||||K|20100101|20100101|20200101|||H|20100101|
293|L|C|AI|9.00||9|||
293|N|C|AI|9.00||7|||
08A|KXXA 12387|20200101|LBSL|
ZPT|99999|6||1|20200101182352|
"""


def problem(text: str) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        d0150.parse(text)
    (only,) = caught.value.problems
    return only.field, only.rule


class TestWrite:
    def test_writes_the_groups_in_order_with_the_fields_in_their_places(self):
        text = d0150.write(header=HEADER, details=[EXCHANGE])

        assert text.splitlines() == [
            "ZHV|M000000042|D0150001|M|KWLT|D|UDMS|20261124103000||||OPER|",
            "288|2300000000017|20261124|||",
            "289|KWLT|20261124|||",
            "290|SMRT0001|||||||||||||||||S2A|20261124|20261124|20361124|||R|20261124|",
            "293|01|C|AI|1.00||6|||",
            "293|02|C|AI|1.00||6|||",
            "08A|K12345678|20261124||",
            "ZPT|M000000042|6||1|20261124103000|",
        ]
        fields_290 = text.splitlines()[3].split("|")[1:-1]
        assert len(fields_290) == 25

    def test_reads_back_to_the_same_records(self):
        parsed = d0150.parse(d0150.write(header=HEADER, details=[EXCHANGE]))

        assert parsed.header == HEADER
        assert parsed.details == (EXCHANGE,)

    def test_a_serial_the_flow_cannot_carry_is_refused(self):
        too_long = EXCHANGE.installed[0].__class__(
            **{**EXCHANGE.installed[0].__dict__, "meter_id": "A" * 11}
        )
        with pytest.raises(InvalidInput) as refused:
            d0150.write(
                header=HEADER,
                details=[
                    d0150.MeterTechnicalDetails(**{**EXCHANGE.__dict__, "installed": (too_long,)})
                ],
            )
        assert refused.value.problems[0].rule == "meter_id"


class TestParse:
    def test_reads_a_file_laid_out_like_the_public_sample(self):
        parsed = d0150.parse(SAMPLE)

        (system,) = parsed.details
        (meter,) = system.installed
        assert (system.mpan_core, system.effective_from, system.contractor) == (
            "1272273439963",
            D(2020, 1, 1),
            "0158",
        )
        assert (meter.meter_id, meter.meter_type, meter.certification_expires_on) == (
            "XXXTEST011",
            "K",
            D(2020, 1, 1),
        )
        assert (meter.meter_asset_provider, meter.retrieval_method) == ("LBSL", "H")
        assert [(r.register_id, r.digits, r.multiplier) for r in meter.registers] == [
            ("L", 9, Decimal("9.00")),
            ("N", 7, Decimal("9.00")),
        ]
        assert system.removed == (
            d0150.RemovedMeter(
                meter_id="KXXA 12387", removed_on=D(2020, 1, 1), meter_asset_provider="LBSL"
            ),
        )

    def test_names_the_line_field_and_rule_of_a_broken_file(self):
        assert problem(SAMPLE.replace("D0150001", "D0010002")) == ("line 1: flow", "flow_version")
        assert problem(SAMPLE.replace("|6||1|", "|7||1|")) == (
            "line 8: record_count",
            "trailer_count",
        )
        assert problem(SAMPLE.replace("288|1272273439963", "288|12345")) == (
            "line 2: mpan_core",
            "mpan_core",
        )
        assert problem(SAMPLE.replace("|20200101|LBSL|\nZPT", "|20201301|LBSL|\nZPT")) == (
            "line 7: meter_removal_date",
            "date_invalid",
        )
        assert problem(SAMPLE.replace("288|1272273439963|20200101|D|x|\n", "")) == (
            "line 2: 289",
            "group_order",
        )
        assert problem(SAMPLE.replace("ZPT|99999|6||1|20200101182352|\n", "")) == (
            "line 7: ZPT",
            "trailer_missing",
        )


registers = st.builds(
    d0150.Register,
    register_id=st.sampled_from(["01", "02", "1", "TO"]),
    digits=st.integers(min_value=4, max_value=10),
    multiplier=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2),
)
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))
serials = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=10)
meters = st.builds(
    d0150.InstalledMeter,
    meter_id=serials,
    meter_type=st.sampled_from(["N", "K", "S2A"]),
    installed_on=dates,
    certified_on=st.none() | dates,
    certification_expires_on=st.none() | dates,
    retrieval_method=st.sampled_from(["H", "R"]),
    registers=st.lists(registers, max_size=3).map(tuple),
)
systems = st.builds(
    d0150.MeterTechnicalDetails,
    mpan_core=st.from_regex(r"\A\d{13}\Z"),
    effective_from=dates,
    contractor=st.sampled_from(["KWLT", "LBSL"]),
    installed=st.lists(meters, max_size=2).map(tuple),
    removed=st.lists(
        st.builds(d0150.RemovedMeter, meter_id=serials, removed_on=dates), max_size=2
    ).map(tuple),
)


@given(details=st.lists(systems, min_size=1, max_size=3))
def test_any_details_written_read_back_the_same(details):
    assert d0150.parse(d0150.write(header=HEADER, details=details)).details == tuple(details)
