"""The Damm check digit catches every single-digit mistake and every adjacent swap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.certificates.numbering import (
    damm_digit,
    format_number,
    is_damm_valid,
    parse_number,
)

years = st.integers(min_value=2000, max_value=2999)
sequences = st.integers(min_value=1, max_value=999_999)


def digits_of(number: str) -> str:
    return number.replace("PP-", "").replace("-", "")


def test_the_example_shown_to_users_is_a_real_number():
    """The hint and error messages quote PP-2026-000042-6: it must pass its own check."""
    assert format_number(2026, 42) == "PP-2026-000042-6"


def test_known_damm_value():
    # The worked example from Damm's paper / Wikipedia: 572 -> 4.
    assert damm_digit("572") == 4
    assert is_damm_valid("5724") and not is_damm_valid("5725")


@given(years, sequences)
def test_formatted_numbers_parse_back(year, sequence):
    number = format_number(year, sequence)
    assert number.startswith(f"PP-{year}-{sequence:06d}-")
    for typed in (number, number.lower(), number.replace("-", ""), number.replace("-", " "),
                  " " + digits_of(number) + " "):
        parsed = parse_number(typed)
        assert parsed.canonical == number


@given(years, sequences, st.integers(min_value=0, max_value=10), st.integers(1, 9))
def test_every_single_digit_change_is_caught(year, sequence, position, delta):
    digits = digits_of(format_number(year, sequence))
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + \
        digits[position + 1:]
    assert not is_damm_valid(changed)
    assert parse_number(changed).has_valid_check_digit is False


@given(years, sequences, st.integers(min_value=0, max_value=9))
def test_every_adjacent_swap_is_caught(year, sequence, position):
    digits = digits_of(format_number(year, sequence))
    a, b = digits[position], digits[position + 1]
    if a == b:
        return  # swapping equal digits changes nothing
    swapped = digits[:position] + b + a + digits[position + 2:]
    assert not is_damm_valid(swapped)


def test_exhaustive_over_one_block():
    """Beyond sampling: all sequences 1..2000 of one year, all single errors and swaps."""
    for sequence in range(1, 2001):
        digits = digits_of(format_number(2026, sequence))
        for position in range(11):
            for wrong in "0123456789":
                if wrong != digits[position]:
                    assert not is_damm_valid(digits[:position] + wrong + digits[position + 1:])
        for position in range(10):
            a, b = digits[position], digits[position + 1]
            if a != b:
                assert not is_damm_valid(digits[:position] + b + a + digits[position + 2:])


@pytest.mark.parametrize("typed", ["", "PP", "PP-2026-00004-7", "XX-2026-000042-7",
                                   "PP-2026-000042-77", "hello"])
def test_malformed_input(typed):
    parsed = parse_number(typed)
    assert parsed.canonical is None and not parsed.is_well_formed


@pytest.mark.parametrize(("year", "sequence"), [(999, 1), (2026, 0), (2026, 1_000_000)])
def test_out_of_range_numbers_are_refused(year, sequence):
    with pytest.raises(ValueError):
        format_number(year, sequence)
