"""Sending a pupil's child-protection file to their next school, and importing one received."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.pupils.models import Pupil
from classroom.web import (
    apply_form,
    csrf,
    current_actor,
    not_theirs,
    school_holidays,
    school_today,
    school_zone,
)
from classroom.worries import services, transfer
from classroom.worries.evidence_views import disposition
from classroom.worries.transfer_forms import (
    ExportForm,
    ImportForm,
    ReceiptCorrectionForm,
    ReceiptForm,
    SentCorrectionForm,
    SentForm,
)
from classroom.worries.transfer_models import CpTransfer, ReceivedAttachment, ReceivedFile

bp = Blueprint("transfer", __name__)


def _instance() -> Path:
    return Path(current_app.instance_path)


def _cost() -> int:
    return int(current_app.config.get("TRANSFER_SCRYPT_LOG2_N", transfer.LOG2_N))


def _max_bytes() -> int:
    return int(current_app.config.get("TRANSFER_MAX_BYTES", 200 * 1024 * 1024))


def _pupil(pupil_id: int) -> Pupil:
    actor = current_actor()
    pupil = policy.visible_pupil(get_session(), actor, pupil_id)
    if pupil is None or not policy.can_transfer_cp_file(actor, pupil):
        not_theirs()
    return pupil


def _page(pupil: Pupil, status: int = 200, **forms: Any) -> ResponseReturnValue:
    actor, db = current_actor(), get_session()
    transfers = list(
        db.scalars(policy.visible_cp_transfers(actor).where(CpTransfer.pupil_id == pupil.id))
    )
    received = db.scalars(
        policy.visible_received_files(actor).where(ReceivedFile.pupil_id == pupil.id)
    )
    incidents = transfer.pupil_incidents(db, actor, pupil)
    # One a record of the pupil's is closed to is not shown how many records a colleague's
    # file held: it may count the record they may not know of.
    closed = isinstance(actor, Account) and bool(transfer.closed_to_maker(db, actor, pupil))
    uncounted = {t.id for t in transfers if closed and t.exported_by_id != actor.id}
    return render_template(
        "worries/evidence/cp_file.html",
        pupil=pupil,
        incidents=incidents,
        gap=isinstance(actor, Account) and services.file_gap_unseen(db, actor, pupil),
        since=transfer.since_sent(db, pupil, incidents),
        transfers=transfers,
        uncounted=uncounted,
        received=list(received),
        export=forms.get("export") or ExportForm(formdata=None),
        sent=forms.get("sent") or SentForm(formdata=None),
        receipts=_receipt_forms(transfers, forms.get("receipt")),
        fixes=_correction_forms(transfers, forms.get("fix")),
        fixing=forms["fix"][:2] if forms.get("fix") else None,
        corrections=transfer.corrections(db, transfers),
        error=forms.get("error"),
    ), status


Fix = SentCorrectionForm | ReceiptCorrectionForm
CORRECTION_FORMS: dict[str, type[Fix]] = {
    transfer.SENT: SentCorrectionForm,
    transfer.RECEIPT: ReceiptCorrectionForm,
}


def _correction_forms(
    transfers: list[CpTransfer], posted: tuple[int, str, Fix] | None
) -> dict[tuple[int, str], Fix]:
    """A correction form for every sending and receipt on record, empty (the record is shown
    beside it as text); the one just sent keeps what was typed. Ids of their own, as above."""
    forms: dict[tuple[int, str], Fix] = {}
    for t in transfers:
        on_record = {transfer.SENT: t.sent_on, transfer.RECEIPT: t.received_on}
        for part, day in on_record.items():
            if day is None:
                continue
            mine = posted is not None and posted[:2] == (t.id, part)
            form = posted[2] if posted and mine else CORRECTION_FORMS[part](formdata=None)
            for box in (form.on, form.who, form.method, form.reason):
                box.id = box.label.field_id = f"fix-{part}-{box.name}-t{t.id}"
            forms[(t.id, part)] = form
    return forms


def _receipt_forms(
    transfers: list[CpTransfer], posted: tuple[int, ReceiptForm] | None
) -> dict[int, ReceiptForm]:
    """A receipt form for every file sent and not yet confirmed: a newer file made or sent
    since does not stop the next school confirming an earlier one. Each form's boxes have ids
    of their own (the names posted stay the same); the one just sent keeps what was typed."""
    forms: dict[int, ReceiptForm] = {}
    for t in transfers:
        if t.sent_on is None or t.received_on is not None:
            continue
        form = posted[1] if posted and posted[0] == t.id else ReceiptForm(formdata=None)
        for box in (form.received_on, form.name, form.method):
            box.id = box.label.field_id = f"{box.name}-t{t.id}"
        forms[t.id] = form
    return forms


@bp.get("/safeguarding/pupils/<int:pupil_id>/cp-file")
@allow("transfer_cp_files")
def page(pupil_id: int) -> ResponseReturnValue:
    """The pupil's child-protection file: what is in it, sending it, and what was received."""
    pupil = _pupil(pupil_id)
    db = get_session()
    record(db, current_actor(), "cp_file.page_viewed", pupil)
    return _page(pupil)


@bp.post("/safeguarding/pupils/<int:pupil_id>/cp-file/export")
@allow("transfer_cp_files")
def export(pupil_id: int) -> ResponseReturnValue:
    """Download the encrypted file; the export is recorded, the file itself is not kept."""
    pupil, form = _pupil(pupil_id), ExportForm()
    if not form.validate_on_submit():
        return _page(pupil, 400, export=form, error="The file was not made.")
    db = get_session()
    made = transfer.export_file(
        db,
        current_actor(),
        pupil,
        form.passphrase.data,
        utcnow(),
        _instance(),
        _cost(),
        base_url=str(current_app.config["BASE_URL"]),
    )
    response = Response(made.package, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = disposition("attachment", made.filename)
    return response


def _transfer(transfer_id: int) -> CpTransfer:
    found = get_session().scalar(
        policy.visible_cp_transfers(current_actor()).where(CpTransfer.id == transfer_id)
    )
    if found is None:
        abort(404)
    return found


def _already_recorded(found: CpTransfer, refused: transfer.AlreadyRecorded) -> ResponseReturnValue:
    """The page as it is, saying nothing was changed (409); the refusal's audit is kept."""
    db = get_session()
    keep(db)  # nothing else is pending: the refusal's audit entry outlives the 409
    return _page(found.pupil, 409, error=refused.message)


@bp.post("/safeguarding/cp-transfers/<int:transfer_id>/sent")
@allow("transfer_cp_files")
def sent(transfer_id: int) -> ResponseReturnValue:
    """When, to whom and how the file was sent: once; the same details again change nothing."""
    found, form, db = _transfer(transfer_id), SentForm(), get_session()
    try:
        apply_form(
            lambda: transfer.record_sent(
                db,
                current_actor(),
                found,
                form.sent_on.data,
                form.sent_to.data,
                form.method.data,
                today=school_today(),
                zone=school_zone(),
            ),
            lambda message: _page(
                found.pupil, 400, sent=form, error=message or "The sending was not recorded."
            ),
            form,
            field="method",
        )
    except transfer.AlreadyRecorded as refused:
        return _already_recorded(found, refused)
    return redirect(url_for("transfer.page", pupil_id=found.pupil_id, _anchor=f"t{found.id}"))


@bp.post("/safeguarding/cp-transfers/<int:transfer_id>/receipt")
@allow("transfer_cp_files")
def receipt(transfer_id: int) -> ResponseReturnValue:
    """The receiving DSL's confirmation of receipt: date, name and how; once, as for sending."""
    found, form, db = _transfer(transfer_id), ReceiptForm(), get_session()
    try:
        apply_form(
            lambda: transfer.record_receipt(
                db,
                current_actor(),
                found,
                form.received_on.data,
                form.name.data,
                form.method.data,
                utcnow(),
                today=school_today(),
            ),
            lambda message: _page(
                found.pupil,
                400,
                receipt=(found.id, form),
                error=message or "The receipt was not recorded.",
            ),
            form,
            field="method",
        )
    except transfer.AlreadyRecorded as refused:
        return _already_recorded(found, refused)
    return redirect(url_for("transfer.page", pupil_id=found.pupil_id, _anchor=f"t{found.id}"))


def _correct(transfer_id: int, part: str) -> ResponseReturnValue:
    """A sending or receipt on record corrected, with its reason (transfer.correct_sent)."""
    found, db = _transfer(transfer_id), get_session()
    form: Fix = CORRECTION_FORMS[part]()
    given = transfer.Corrected(form.on.data, form.who.data, form.method.data, form.reason.data)

    def change() -> object:
        actor, now, today = current_actor(), utcnow(), school_today()
        if part == transfer.SENT:
            return transfer.correct_sent(
                db, actor, found, given, now, today=today, zone=school_zone()
            )
        return transfer.correct_receipt(db, actor, found, given, now, today=today)

    try:
        apply_form(
            change,
            lambda message: _page(
                found.pupil,
                400,
                fix=(found.id, part, form),
                error=message or "Nothing was corrected.",
            ),
            form,
        )
    except transfer.AlreadyRecorded as refused:
        return _already_recorded(found, refused)
    return redirect(url_for("transfer.page", pupil_id=found.pupil_id, _anchor=f"t{found.id}"))


@bp.post("/safeguarding/cp-transfers/<int:transfer_id>/sent/correction")
@allow("transfer_cp_files")
def correct_sent(transfer_id: int) -> ResponseReturnValue:
    """Correct when, to whom or how the file was sent: a deliberate act with a reason, the
    record's earlier details kept and shown."""
    return _correct(transfer_id, transfer.SENT)


@bp.post("/safeguarding/cp-transfers/<int:transfer_id>/receipt/correction")
@allow("transfer_cp_files")
def correct_receipt(transfer_id: int) -> ResponseReturnValue:
    """Correct the record of the next school's confirmation of receipt, as for the sending."""
    return _correct(transfer_id, transfer.RECEIPT)


# --- Files to send: leavers with a safeguarding record ---


@bp.get("/safeguarding/cp-files/to-send")
@allow("work_incidents")
def to_send() -> ResponseReturnValue:
    """Leavers whose child-protection file is still to go, and files awaiting receipt."""
    actor, db = current_actor(), get_session()
    due = transfer.files_to_send(db, policy.visible_incidents(actor))
    awaited = transfer.receipts_awaited(db, actor)
    today, holidays = school_today(), school_holidays()
    summary = f"{len(due)} to send, {len(awaited)} awaiting receipt"
    record(db, actor, "cp_file.to_send_viewed", summary=summary)
    return render_template(
        "worries/evidence/cp_to_send.html",
        due=due,
        made=transfer.files_made_not_sent(db, actor, [f.pupil_id for f in due]),
        awaited=awaited,
        chase={
            t.id
            for t in awaited
            if t.sent_on is not None and transfer.receipt_late(t.sent_on, today, holidays)
        },
        chase_after=transfer.CHASE_RECEIPT_AFTER_SCHOOL_DAYS,
        today=today,
        holidays=holidays,
        may_send=policy.has_right(actor, "transfer_cp_files"),
        within=transfer.SEND_WITHIN_SCHOOL_DAYS,
    )


# --- Receiving a file from a previous school ---


def _import_form(submitted: bool) -> ImportForm:
    form = ImportForm() if submitted else ImportForm(formdata=None)
    pupils = get_session().scalars(policy.visible_pupils(current_actor()))
    form.pupil_id.choices = {"": "Choose the pupil…"} | {
        str(p.id): f"{p.full_name} (born {p.date_of_birth:%d %b %Y})" for p in pupils
    }
    return form


def _import_page(form: ImportForm, status: int = 200, error: str | None = None) -> tuple[str, int]:
    return render_template("worries/evidence/cp_import.html", form=form, error=error), status


@bp.get("/safeguarding/cp-files/import")
@allow("transfer_cp_files")
def import_form() -> ResponseReturnValue:
    """Upload a file a previous school sent, with its passphrase, and choose the pupil."""
    form = _import_form(submitted=False)
    summary = f"{len(form.pupil_id.choices) - 1} pupils, importing a child-protection file"
    record(get_session(), current_actor(), "cp_file.import_form_viewed", summary=summary)
    return _import_page(form)


def _package(form: ImportForm) -> bytes:
    data = form.package.data
    if isinstance(data, FileStorage) and data.filename:
        content: bytes = data.read()
        return content
    return b""


# Exempt from the app-wide CSRF hook only because it reads the body under the small app-wide
# limit before this view can raise it; the form checks its own token.
@csrf.exempt  # type: ignore[untyped-decorator]
@bp.post("/safeguarding/cp-files/import")
@allow("transfer_cp_files")
def import_file() -> ResponseReturnValue:
    """Verify the file completely, then attach it to the pupil; any doubt and nothing is kept."""
    request.max_content_length = _max_bytes()
    try:
        form = _import_form(submitted=True)
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _import_page(_import_form(False), 413, "That file is larger than this app accepts.")
    package = _package(form) if valid else b""
    if not valid or not package or not form.pupil_id.data:
        return _import_page(form, 400, "Choose the file, give its passphrase and the pupil.")
    pupil, db = _pupil(int(form.pupil_id.data)), get_session()
    try:
        received = transfer.import_file(
            db, current_actor(), pupil, package, form.passphrase.data, utcnow(), _instance()
        )
    except (transfer.TransferError, Invalid) as problem:
        db.rollback()  # undo the half-made import now: the page drawn next must not show it
        return _import_page(form, 400, getattr(problem, "message", str(problem)))
    return redirect(url_for("transfer.received", received_id=received.id, imported=1))


@bp.get("/safeguarding/cp-files/<int:received_id>")
@allow("work_incidents")
def received(received_id: int) -> ResponseReturnValue:
    """A history received from a previous school, read-only (every view audited)."""
    actor, db = current_actor(), get_session()
    found = db.scalar(policy.visible_received_files(actor).where(ReceivedFile.id == received_id))
    if found is None:
        abort(404)
    history = transfer.received_record(db, actor, found, _instance())
    files = {str(f.number): f for f in found.files}
    return render_template(
        "worries/evidence/cp_received.html", found=found, history=history, files=files
    )


@bp.get("/safeguarding/cp-files/files/<int:file_id>")
@allow("work_incidents")
def received_file(file_id: int) -> ResponseReturnValue:
    """A file that came with a received history: always a download (audited)."""
    actor, db = current_actor(), get_session()
    found = db.scalar(
        select(ReceivedAttachment)
        .join(ReceivedFile, ReceivedFile.id == ReceivedAttachment.received_id)
        .where(
            ReceivedAttachment.id == file_id,
            ReceivedFile.id.in_(
                policy.visible_received_files(actor).with_only_columns(ReceivedFile.id)
            ),
        )
    )
    if found is None:
        abort(404)
    data = transfer.received_attachment(db, actor, found, _instance())
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = disposition("attachment", found.filename)
    return response
