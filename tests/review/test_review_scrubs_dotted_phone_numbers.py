"""Governors' review: a phone number written with dots ("0161.496.0000") names its owner as
surely as one written with spaces; dates written with dots and decimals stay."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from classroom.review.services import _PHONE, _phones


@pytest.mark.parametrize(
    "number",
    ["0161.496.0000", "07700.900.123", "07700.900123", "020.7946.0000", "+44.7700.900.123"],
)
def test_a_phone_number_written_with_dots_reads_phone(
    scrub: Callable[[str], str], number: str
) -> None:
    assert scrub(f"Mum rang from {number} at 3pm.") == "Mum rang from [phone] at 3pm."
    assert scrub(f"Mum rang from {number}.") == "Mum rang from [phone]."


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Met on 05.12.2026 for 2.5 hours.", "Met on [date] for 2.5 hours."),
        ("Filter set to 0.5 and level 010.5 on 5.12.26.", "Filter set to 0.5 and level 010.5"),
        ("Checked at 0930. 12 pupils took part.", "Checked at 0930. 12 pupils took part."),
    ],
)
def test_dotted_dates_and_decimals_are_not_phone_numbers(
    scrub: Callable[[str], str], text: str, kept: str
) -> None:
    scrubbed = scrub(text)
    assert "[phone]" not in scrubbed
    assert scrubbed.startswith(kept)


def test_a_full_stop_does_not_join_a_time_to_the_number_after_it(
    scrub: Callable[[str], str],
) -> None:
    assert scrub("Rang at 0930. 0161 496 0000 rang back.") == "Rang at 0930. [phone] rang back."


@pytest.mark.parametrize(
    ("paste", "scrubbed"),
    [
        ("0." * 20_000, "0." * 20_000),
        ("07700." * 7_000, "[phone]." * 3_500),  # two groups of 5 make 10 digits
        ("0161.496.0000 " * 3_000, "[phone] " * 3_000),
    ],
)
def test_a_long_dotted_paste_is_read_a_few_groups_at_a_time(paste: str, scrubbed: str) -> None:
    """Each search reads at most 6 groups, however long the paste (bounded work, no timing)."""
    assert max(len(m.group(0)) for m in _PHONE.finditer(paste)) <= 6 * 6
    assert _phones(paste) == scrubbed
