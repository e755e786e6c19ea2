from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.platform.money import format_pence
from kilowatt.platform.periods import DatePeriod

days = st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 1, 1))


class TestDatePeriod:
    def test_is_half_open(self):
        period = DatePeriod(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))

        assert period.contains(datetime.date(2026, 1, 1))
        assert not period.contains(datetime.date(2026, 2, 1))

    def test_refuses_an_empty_period(self):
        with pytest.raises(ValueError, match="must be after its start"):
            DatePeriod(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))

    @given(a=days, b=days, c=days)
    def test_back_to_back_periods_do_not_overlap(self, a, b, c):
        first, second, third = sorted({a, b, c}) + [None] * (3 - len({a, b, c}))
        if second is None:
            return
        left = DatePeriod(first, second)
        right = DatePeriod(second, third)

        assert not left.overlaps(right)
        assert not right.overlaps(left)

    def test_an_open_end_overlaps_everything_after_it(self):
        assert DatePeriod(datetime.date(2026, 1, 1)).overlaps(DatePeriod(datetime.date(2099, 1, 1)))


@pytest.mark.parametrize(("pence", "text"), [(0, "£0.00"), (123456, "£1,234.56"), (-5, "-£0.05")])
def test_formats_pence(pence, text):
    assert format_pence(pence) == text
