"""The rules of cases: closing needs a note, days open, the silent meter's summary."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.cases.domain import cases


def rules(problems) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in problems]


class TestClosing:
    @pytest.mark.parametrize("note", ["", " ", "\n\t"])
    def test_a_note_is_required(self, note):
        assert rules(cases.close_problems(status=cases.OPEN, note=note)) == [("note", "required")]

    def test_a_note_has_a_limit(self):
        note = "x" * (cases.NOTE_MAX + 1)

        assert rules(cases.close_problems(status=cases.OPEN, note=note)) == [("note", "too_long")]

    def test_a_closed_case_stays_closed(self):
        assert rules(cases.close_problems(status=cases.CLOSED, note="again")) == [
            ("case", "already_closed")
        ]

    def test_an_open_case_with_a_note_may_close(self):
        assert cases.close_problems(status=cases.OPEN, note="Hub replaced.") == []


class TestDaysOpen:
    def test_whole_days_since_opening(self):
        opened = datetime.date(2026, 2, 27)

        assert cases.days_open(opened_on=opened, today=datetime.date(2026, 3, 1)) == 2
        assert cases.days_open(opened_on=opened, today=opened) == 0

    def test_never_negative(self):
        today = datetime.date(2026, 3, 1)

        assert cases.days_open(opened_on=today + datetime.timedelta(days=1), today=today) == 0


class TestSilentSummary:
    def test_says_when_last_heard(self):
        text = cases.silent_summary(last_heard_on=datetime.date(2026, 11, 1), silent_days=3)

        assert text.endswith("nothing heard since 1 Nov 2026.")
        assert "3 days" in text

    def test_says_never_heard(self):
        text = cases.silent_summary(last_heard_on=None, silent_days=3)

        assert text.endswith("nothing heard since it was installed.")
