"""The evidence page of an incident: attached files and the body map (safeguarding team only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from classroom import policy
from classroom.audit.services import record
from classroom.db import get_session, to_change, utcnow
from classroom.policy import allow
from classroom.web import apply_form, csrf, current_actor
from classroom.worries import body_map, evidence
from classroom.worries.evidence_crypto import SealBrokenError
from classroom.worries.evidence_forms import AttachmentForm, MarkForm
from classroom.worries.evidence_models import (
    MARK_LABELS,
    Attachment,
    AttachmentKind,
    BodyMark,
    Side,
)
from classroom.worries.models import Incident
from classroom.worries.once_web import applied_once

bp = Blueprint("evidence", __name__)


def _instance() -> Path:
    return Path(current_app.instance_path)


def _max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", evidence.DEFAULT_MAX_BYTES))


def _incident(incident_id: int, for_change: bool = False) -> Incident:
    """The incident if this person may work it; otherwise 404, so hidden records stay hidden.
    `for_change`: locked until the request commits, as the incident page's changes are
    (worries.views._incident)."""
    query = policy.visible_incidents(current_actor()).where(Incident.id == incident_id)
    if for_change:
        query = to_change(query, Incident)
    incident = get_session().scalar(query)
    if incident is None:
        abort(404)
    return incident


@dataclass(frozen=True)
class IncidentEvidence:
    """What the incident page shows of its evidence, for whoever is looking."""

    attachments: list[Attachment]
    marks: list[BodyMark]

    def on(self, side: str) -> list[body_map.DrawnMark]:
        """The marks on one side, each with its number in the list of all marks, as drawn."""
        return body_map.drawn([(n, m) for n, m in enumerate(self.marks, start=1) if m.side == side])


def incident_evidence(incident: Incident) -> IncidentEvidence:
    """The evidence the current person may see on an incident (nothing for anyone else)."""
    actor, db = current_actor(), get_session()
    attachments = db.scalars(
        policy.visible_attachments(actor)
        .where(Attachment.incident_id == incident.id)
        .options(selectinload(Attachment.uploaded_by))
    )
    marks = db.scalars(
        policy.visible_body_marks(actor)
        .where(BodyMark.incident_id == incident.id)
        .options(selectinload(BodyMark.recorded_by))
    )
    return IncidentEvidence(list(attachments), list(marks))


def _page(
    incident: Incident,
    upload: AttachmentForm | None = None,
    mark: MarkForm | None = None,
    status: int = 200,
    error: str | None = None,
) -> ResponseReturnValue:
    return render_template(
        "worries/evidence/page.html",
        incident=incident,
        evidence=incident_evidence(incident),
        upload=upload or AttachmentForm(formdata=None),
        mark=mark or MarkForm(formdata=None),
        can_add=policy.can_add_evidence(current_actor(), incident),
        mark_labels=MARK_LABELS,
        regions=body_map.REGIONS,
        region_words=body_map.region_words,
        sides=list(Side),
        size_words=evidence.size_words,
        max_size=evidence.size_words(_max_bytes()),
        max_bytes=_max_bytes(),
        error=error,
    ), status


@bp.get("/safeguarding/<int:incident_id>/evidence")
@allow("work_incidents")
def page(incident_id: int) -> ResponseReturnValue:
    """Files attached to the incident and its body map, with the forms to add to them."""
    incident = _incident(incident_id)
    db = get_session()
    record(db, current_actor(), "evidence.list_viewed", incident)
    return _page(incident)


def _uploaded_file(form: AttachmentForm) -> tuple[str, bytes]:
    data = form.file.data
    if isinstance(data, FileStorage) and data.filename:
        return data.filename, data.read(_max_bytes() + 1)
    return "", b""


# Exempt from the app-wide CSRF check only because that check reads the body under the
# small app-wide size limit before this view can raise it; the form checks its own token.
@csrf.exempt  # type: ignore[untyped-decorator]
@bp.post("/safeguarding/<int:incident_id>/evidence/attachments")
@allow("work_incidents")
def attach(incident_id: int) -> ResponseReturnValue:
    """Attach a file: pictures re-encoded, others kept as given; refused when too big."""
    incident = _incident(incident_id)
    request.max_content_length = _max_bytes() + 64 * 1024  # room for the form's other fields
    try:
        form = AttachmentForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        limit = evidence.size_words(_max_bytes())
        message = f"That file is too big: attach files of at most {limit}."
        return _page(incident, status=413, error=message)
    if not valid:
        return _page(incident, upload=form, status=400, error="The file was not attached.")
    filename, data = _uploaded_file(form)
    # Locked once the file has arrived, not while a slow connection sends it.
    incident = _incident(incident_id, for_change=True)
    db = get_session()
    upload = evidence.Upload(filename, data, form.description.data or "")
    made = apply_form(
        lambda: applied_once(
            incident.id,
            form,
            lambda: evidence.add_attachment(
                db, current_actor(), incident, upload, _instance(), utcnow(), _max_bytes()
            ),
        ),
        lambda message: _page(incident, upload=form, status=400, error=message),
        form,
        field="file",
        validated=True,
    )
    return _after(incident, "added", made, "files")


def _attachment(attachment_id: int) -> Attachment:
    found = get_session().scalar(
        policy.visible_attachments(current_actor()).where(Attachment.id == attachment_id)
    )
    if found is None:
        abort(404)
    return found


def disposition(how: str, name: str) -> str:
    """RFC 6266: a plain ASCII fallback and the real (UTF-8) name."""
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "._- " else "_" for c in name)
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_response(attachment: Attachment, how: str) -> Response:
    db = get_session()
    try:
        data = evidence.read_attachment(db, current_actor(), attachment, _instance(), how)
    except SealBrokenError:
        current_app.logger.error("evidence attachment #%s does not open", attachment.id)
        abort(409)
    inline = how == "viewed"
    # Only re-encoded pictures are ever shown in the browser; every other file is an opaque
    # download, whatever it claims to be, so an HTML or SVG file can never run in our origin.
    shown_as_is = inline or attachment.media_type == "application/pdf"
    mimetype = attachment.media_type if shown_as_is else "application/octet-stream"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition(
        "inline" if inline else "attachment", attachment.filename
    )
    return response


@bp.get("/safeguarding/evidence/<int:attachment_id>/download")
@allow("work_incidents")
def download(attachment_id: int) -> ResponseReturnValue:
    """The file as stored, always as a download (audited)."""
    return _file_response(_attachment(attachment_id), "downloaded")


@bp.get("/safeguarding/evidence/<int:attachment_id>/picture")
@allow("work_incidents")
def picture(attachment_id: int) -> ResponseReturnValue:
    """A re-encoded picture, shown in the page (audited); other files have no such view."""
    attachment = _attachment(attachment_id)
    if attachment.kind != AttachmentKind.IMAGE:
        abort(404)
    return _file_response(attachment, "viewed")


def _mark_input(form: MarkForm) -> body_map.MarkInput:
    return body_map.MarkInput(
        region=form.region.data or None,
        side=form.side.data or None,
        x=form.x.data,
        y=form.y.data,
        mark_type=form.mark_type.data or None,
        size=form.size.data or "",
        note=form.note.data or "",
    )


@bp.post("/safeguarding/<int:incident_id>/evidence/marks")
@allow("work_incidents")
def add_mark(incident_id: int) -> ResponseReturnValue:
    """A mark placed by a tap on the outline, or by choosing a region from the list."""
    incident = _incident(incident_id, for_change=True)
    form = MarkForm()
    db = get_session()
    made = apply_form(
        lambda: applied_once(
            incident.id,
            form,
            lambda: body_map.add_mark(db, current_actor(), incident, _mark_input(form), utcnow()),
        ),
        lambda message: _page(
            incident, mark=form, status=400, error=message or "The mark was not added."
        ),
        form,
        field="region",
    )
    return _after(incident, "marked", made, "body-map")


def _after(incident: Incident, what: str, made: bool, anchor: str) -> ResponseReturnValue:
    """The evidence page again, saying what was added, or that a repeat added nothing."""
    said: dict[str, Any] = {what: 1} if made else {"twice": 1}
    return redirect(url_for("evidence.page", incident_id=incident.id, _anchor=anchor, **said))
