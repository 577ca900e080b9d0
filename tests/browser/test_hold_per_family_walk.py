"""A DSL's walk of a record with two families at the staff laptop's 1024x768: decide per family,
close keeping Ben's carers held, let them be told again by a button that names whose carers,
and reopen with no tick that asks about a family it does not concern
(tests/worries/test_hold_per_family.py says why)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from classroom.db import get_session, utcnow
from classroom.worries import services
from classroom.worries.models import Incident, PupilRole
from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.test_safeguard_journeys import _account, _pupil, _triaged_concern


def test_two_families_decide_close_lift_and_reopen(page: Page, live_server: LiveServer) -> None:
    incident_id = _triaged_concern(live_server)
    with live_server.app.app_context():
        db = get_session()
        incident = db.get_one(Incident, incident_id)
        services.link_pupil(db, _account("dsl"), incident, _pupil("Ben").id, PupilRole.INVOLVED,
                            now=utcnow(), reason="Sent")  # fmt: skip
        db.commit()
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    form = page.locator("#parent")
    tick = form.get_by_label("I have checked that telling carers now")
    expect(tick).not_to_be_checked()  # nobody decided: "every family" would tell both
    form.get_by_label("Only Amira Khan's carers (affected)").check()
    form.locator("#parent-decision").select_option("inform_now")
    form.locator("#parent-reason").fill("Her mum should hear from us today")
    form.get_by_role("button", name="Record decision").click()
    form = page.locator("#parent")
    # Only Ben's family is left to tell: the tick would ask about nothing.
    expect(form.get_by_label("I have checked that telling carers now")).to_have_count(0)
    form.get_by_label("Only Ben Taylor's carers (involved)").check()
    form.locator("#parent-decision").select_option("do_not_contact")
    form.locator("#parent-reason").fill("Telling his family may put Amira at risk")
    form.get_by_role("button", name="Record decision").click()
    by_family = page.locator("#contact-by-family")
    expect(by_family).to_contain_text("Ben Taylor's carers (involved): Do not")
    assert_accessible(page)

    close = page.locator("#close")
    close.get_by_label("Outcome").fill("Spoke to both families")
    close.get_by_label("Lessons learnt").fill("Filters missed the chat")
    close.get_by_label("Keep holding back").check()
    close.get_by_label("Why", exact=True).fill("Police still looking into it")
    close.get_by_label("How parents/carers were told").fill("Phoned Amira's mum")
    close.get_by_role("button", name="Close incident").click()

    lift = page.locator("#parent").get_by_role("button", name="Let carers be told again")
    expect(lift).to_have_text("Let carers be told again: Ben Taylor's only")
    box = lift.bounding_box()
    assert box is not None
    assert box["height"] >= 24
    reopen = page.locator("#reopen")
    expect(reopen.get_by_label("I have checked that telling carers now")).to_have_count(0)
    assert_accessible(page)
    page.locator("#parent").get_by_label("Why carers may be told again").fill("Police agree")
    lift.click()
    expect(page.locator("#note")).to_contain_text(
        'Carers may be told again: Ben Taylor\'s carers, held back until now under '
        '"Do not contact parents/carers". '
        "Not held back by this record: Amira Khan's carers"
    )
    expect(page.locator("#parent").get_by_role("button")).to_have_count(0)
    assert_accessible(page)
