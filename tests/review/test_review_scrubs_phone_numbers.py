"""Governors' review: a phone number names its owner (a carer, a pupil's own mobile) however it
is grouped, so the lessons learnt show "[phone]" for all of it. Dates, times, years and counts
written with digits stay: the lesson must still read."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries.models import Category, Risk
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil

NUMBERS = [
    "07700 900 123",
    "07700 900123",
    "07700-900-123",
    "07700900123",
    "0161 496 0000",
    "0161-496-0000",
    "(0161) 496 0000",
    "020 7946 0000",
    "(020)7946 0000",
    "01632 960123",
    "0800 123 4567",
    "+44 7700 900123",
    "+44 (0)7700 900123",
    "+44 (0) 161 496 0000",
    "+447700900123",
    "0044 20 7946 0000",
]


@pytest.mark.parametrize("number", NUMBERS)
def test_a_phone_number_however_grouped_reads_phone(
    scrub: Callable[[str], str], number: str
) -> None:
    assert scrub(f"Mum rang from {number} at 3pm.") == "Mum rang from [phone] at 3pm."


@pytest.mark.parametrize(
    "text",
    [
        "Met on 5 Dec 2026 at 09:30 with 3 pupils from Year 10.",
        "Reviewed 05/12/2026 and again in 2027; 12 staff trained, 0 repeats.",
        "Room 0123 456 was free from 10:15 to 11:45.",
        "Sessions on 05 12 2026 10 pupils came.",
    ],
)
def test_dates_times_years_and_counts_are_not_phone_numbers(
    scrub: Callable[[str], str], text: str
) -> None:
    assert "[phone]" not in scrub(text)


def test_the_numbers_around_a_phone_number_stay(scrub: Callable[[str], str]) -> None:
    assert (
        scrub("She rang 07700 900 123 3 times, then 0161 496 0000 twice; Year 10 07700 900 124.")
        == "She rang [phone] 3 times, then [phone] twice; Year 10 [phone]."
    )


def test_the_governors_lessons_learnt_show_no_digit_of_a_phone_number(
    app: Flask, session: Session
) -> None:
    """Staff type the carers' numbers as they read them out; the governor sees none of them."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    dsl = make_account(session, Role.DSL)
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    data = worries.ConcernInput(pupil.id, "Upset after a call", "speech", None, None)
    concern = worries.raise_concern(
        session, teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    triage = worries.Triage(Category.WELLBEING, Risk.LOW, "Spoke to her", False, None)
    worries.triage(session, dsl, concern, triage, now=utcnow())
    lessons = "Calls came from " + ", ".join(NUMBERS) + "; 3 pupils in Year 10 were told."
    worries.close(
        session, dsl, concern, "Resolved", lessons, keep_carers_held=False,
        carers_reason="Decided with the head", now=utcnow(),
    )  # fmt: skip
    session.commit()
    response = client_for(app, governor).get("/safeguarding/review/")
    assert response.status_code == 200
    page = response.data.decode()
    register = html.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<h2>Lessons learnt</h2>") :]))
    for leak in ("07700", "0161", "020", "7946", "900", "+44", "0044"):
        assert leak not in register, leak
    phones = ", ".join(["[phone]"] * len(NUMBERS))
    assert f"Calls came from {phones}; 3 pupils in Year 10 were told." in register
