from datetime import date

from portal.review.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_and_england_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 5, 2))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day, observed
    assert is_working_day(date(2026, 4, 7))


def test_days_waiting_skip_weekends_and_bank_holidays():
    # Thursday 2 April to Thursday 9 April 2026: Good Friday and Easter Monday fall between.
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 3
    assert working_days_between(date(2026, 4, 9), date(2026, 4, 9)) == 0
    assert working_days_between(date(2026, 4, 9), date(2026, 4, 1)) == 0


def test_ten_working_days_service_level_deadline():
    # Submitted Friday 18 December 2026: Christmas and Boxing Day (observed) are skipped.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)
