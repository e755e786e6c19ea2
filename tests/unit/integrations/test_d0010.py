"""Parsing and writing D0010 files: the layout, the UK clock, and clear errors."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.integrations.domain import d0010
from kilowatt.platform.errors import InvalidInput


def uk(*parts: int) -> datetime.datetime:
    """A naive UK clock time, as a D0010 file carries it."""
    return datetime.datetime(*parts, tzinfo=d0010.LONDON).replace(tzinfo=None)


SAMPLE = """ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER|
026|1200023305967|V|
028|F75A 00802|D|
030|01|20160222000000|56311.0|||T|N|
030|02|20160222000000|1200.5|||T|N|
026|1900001059816|V|
028|S95105287|C|
030|TO|20160724000000|81641|||T|P|
ZPT|0000475656|7||2|20160302154650|
"""


def problem(text: str) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        d0010.parse(text)
    (only,) = caught.value.problems
    return only.field, only.rule


class TestParse:
    def test_reads_the_header_and_every_reading_with_its_meter_point_and_meter(self):
        parsed = d0010.parse(SAMPLE)

        assert parsed.header == d0010.Header(
            file_id="0000475656",
            from_role="D",
            from_participant="UDMS",
            to_role="X",
            to_participant="MRCY",
            created_local=uk(2016, 3, 2, 15, 31, 51),
            test_flag="OPER",
        )
        assert [
            (r.line, r.mpan_core, r.meter_serial, r.register, r.value) for r in parsed.readings
        ] == [
            (4, "1200023305967", "F75A 00802", "01", Decimal("56311.0")),
            (5, "1200023305967", "F75A 00802", "02", Decimal("1200.5")),
            (8, "1900001059816", "S95105287", "TO", Decimal("81641")),
        ]
        last = parsed.readings[-1]
        assert (last.reading_type, last.reading_flag, last.reading_method) == ("C", "T", "P")

    def test_a_uk_clock_time_in_summer_is_an_hour_ahead_of_utc(self):
        last = d0010.parse(SAMPLE).readings[-1]

        assert d0010.to_utc(last.read_local) == datetime.datetime(
            2016, 7, 23, 23, 0, tzinfo=datetime.UTC
        )
        assert d0010.to_utc(uk(2016, 2, 22)) == datetime.datetime(2016, 2, 22, tzinfo=datetime.UTC)

    def test_windows_line_endings_are_read_alike(self):
        assert d0010.parse(SAMPLE.replace("\n", "\r\n")) == d0010.parse(SAMPLE)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", ("line 1: ZHV", "header_missing")),
            (SAMPLE.split("\n", 1)[1], ("line 1: ZHV", "header_missing")),
            (SAMPLE.replace("D0010002", "D0086001"), ("line 1: flow", "flow_version")),
            (
                SAMPLE.replace("ZPT|0000475656|7|", "ZPT|0000475656|6|"),
                ("line 9: record_count", "trailer_count"),
            ),
            (SAMPLE.replace("|7||2|", "|7||3|"), ("line 9: flow_count", "trailer_count")),
            (
                SAMPLE.replace("ZPT|0000475656", "ZPT|0000475657"),
                ("line 9: file_id", "trailer_file_id"),
            ),
            (SAMPLE.rsplit("ZPT", 1)[0], ("line 8: ZPT", "trailer_missing")),
            (
                SAMPLE.replace("20160222000000|56311.0", "2016022200|56311.0"),
                ("line 4: reading_date_time", "date_time_format"),
            ),
            (
                SAMPLE.replace("20160222000000|1200.5", "20160231000000|1200.5"),
                ("line 5: reading_date_time", "date_time_invalid"),
            ),
            (SAMPLE.replace("56311.0", "56A11.0"), ("line 4: register_reading", "number")),
            (SAMPLE.replace("1200.5", "1200.5555"), ("line 5: register_reading", "number")),
            (
                SAMPLE.replace("026|1900001059816", "026|19000010598"),
                ("line 6: mpan_core", "mpan_core"),
            ),
            (SAMPLE.replace("|T|N|", "|Y|N|", 1), ("line 4: meter_reading_flag", "choice")),
            (SAMPLE.replace("028|F75A 00802|D|\n", ""), ("line 3: 030", "group_order")),
            (
                SAMPLE.replace("026|1200023305967|V|", "027|1200023305967|V|"),
                ("line 2: group", "unknown_group"),
            ),
            (
                SAMPLE.replace("030|01|20160222000000|56311.0|||T|N|", "030|01|"),
                ("line 4: 030", "too_few_fields"),
            ),
            (SAMPLE + "026|1200023305967|V|\n", ("line 10: line", "after_trailer")),
        ],
    )
    def test_a_bad_file_names_the_line_field_and_rule(self, text, expected):
        assert problem(text) == expected

    def test_the_error_reads_as_one_line(self):
        with pytest.raises(InvalidInput) as caught:
            d0010.parse(SAMPLE.replace("56311.0", "lots"))

        assert str(caught.value) == (
            "line 4: register_reading: must be a number with at most 3 decimal places, not 'lots'"
        )


HEADER = d0010.Header(
    file_id="2611230900",
    from_role="X",
    from_participant="KWLT",
    to_role="D",
    to_participant="UDMS",
    created_local=uk(2026, 11, 23, 9, 0),
)


class TestWrite:
    def test_the_sample_writes_back_to_the_same_readings(self):
        parsed = d0010.parse(SAMPLE)

        again = d0010.parse(d0010.write(header=parsed.header, readings=parsed.readings))

        assert again.header == parsed.header
        assert [r.key() for r in again.readings] == [r.key() for r in parsed.readings]

    def test_readings_of_one_meter_share_their_groups_and_the_trailer_counts_them(self):
        reading = d0010.Reading(
            mpan_core="2300000000015",
            meter_serial="S12345678",
            register="01",
            read_local=uk(2026, 3, 1),
            value=Decimal("1234.5"),
        )
        text = d0010.write(
            header=HEADER,
            readings=[reading, dataclasses.replace(reading, register="02", value=Decimal("7"))],
        )

        assert text.splitlines() == [
            "ZHV|2611230900|D0010002|X|KWLT|D|UDMS|20261123090000||||OPER|",
            "026|2300000000015|V|",
            "028|S12345678|R|",
            "030|01|20260301000000|1234.5|||T|N|",
            "030|02|20260301000000|7.0|||T|N|",
            "ZPT|2611230900|4||1|20261123090000|",
        ]

    def test_an_empty_file_is_a_header_and_a_trailer(self):
        text = d0010.write(header=HEADER, readings=[])

        assert d0010.parse(text).readings == ()

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["2300000000015", "2300000000024"]),
                st.sampled_from(["S1", "S2"]),
                st.sampled_from(["01", "02", "TO"]),
                st.datetimes(
                    min_value=uk(2020, 1, 1),
                    max_value=uk(2030, 1, 1),
                ).map(lambda moment: moment.replace(microsecond=0)),
                st.decimals(min_value=0, max_value=999_999, places=3),
            ),
            max_size=20,
        )
    )
    def test_anything_written_parses_back_to_the_same_readings(self, rows):
        readings = [
            d0010.Reading(
                mpan_core=point, meter_serial=serial, register=register, read_local=at, value=value
            )
            for point, serial, register, at, value in rows
        ]

        parsed = d0010.parse(d0010.write(header=HEADER, readings=readings))

        assert [r.key() for r in parsed.readings] == [r.key() for r in readings]
