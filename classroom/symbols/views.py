"""Symbol pictures, the symboliser for templates, and the staff symbol tools.

Staff tools: a page that shows any text with symbols (to hear and print), and the chooser that
sets which picture a word gets for the whole school, a class or one pupil.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import overload

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from classroom import policy
from classroom.accounts.models import Account
from classroom.accounts.redirects import safe_path
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.devices.web import current_device
from classroom.errors import Refusal
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.pupils.forms import LEFT_THE_SCHOOL, left_note
from classroom.pupils.models import Pupil, SchoolClass
from classroom.pupils.services import left_settings
from classroom.symbols import pictures, queries, services
from classroom.symbols.cache import RememberedLayers
from classroom.symbols.forms import LAYER_KEY, ChooserForm, ClearForm, OverrideForm, TextForm
from classroom.symbols.library import svg_path
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import HIDDEN, Token, symbolise
from classroom.symbols.vocabulary import normalise
from classroom.symbols.web import override_layers as cached_override_layers
from classroom.symbols.web import picture_folder
from classroom.web import apply_form, current_actor, small_file_response

bp = Blueprint("symbols", __name__, url_prefix="/symbols")

# Templates render symbol-supported text with `sym.symbolised(symbolise(text, layers), size)`;
# pupil screens use `spoken([...], pupil_layers)` with the pupil macros of the same library,
# templates/_macros/symbols.html.
# "symbolise" for staff previews is word_swap_web.preview_symbolise (see classroom/templating.py).

MAX_WORD_LINKS = 40


@bp.get("/<code>.svg")
@allow("public")
def image(code: str) -> Response:
    """One symbol as SVG, to anyone: symbols hold no personal data.

    A school's own picture (PNG, by its code "pic-<hex>") may be a pupil's photo: it is served
    only to whoever may see it (`may_see_picture`), and 404 to anyone else even with its address
    (a leaked link, a shared iPad's history); and it is kept by no cache, shared or the browser's
    or the class iPad's service worker (no-store), for the next person on a shared iPad. Reading
    one is not audited, as a pupil's tile photo is not (pupils.views.photo)."""
    if pictures.is_picture_code(code):
        picture = pictures.picture_path(code, picture_folder())
        if picture is None or not may_see_picture(code):
            abort(404)
        response = small_file_response(picture, "image/png", 0)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    path = svg_path(code)
    if path is None:
        abort(404)
    return small_file_response(path, "image/svg+xml", 31536000)


# --- Pupil screens: the override layers of whoever is in front of the iPad --------------------


class PupilLayers(RememberedLayers):
    """The override layers for pupil screens, looked up only when a template first uses them,
    so the many pages that never symbolise pupil text cost no query."""

    def __init__(self) -> None:
        self._layers: list[dict[str, str]] | None = None

    def _load(self) -> list[dict[str, str]]:
        if self._layers is None:
            if "pupil_layers" not in g:
                g.pupil_layers = _layers_for_request()
            self._layers = g.pupil_layers
        return self._layers

    @overload
    def __getitem__(self, index: int) -> Mapping[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, str]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, str] | Sequence[Mapping[str, str]]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())


def _layers_for_request() -> list[dict[str, str]]:
    """The signed-in pupil's layers; on a class iPad's start screens, its class's."""
    actor = current_actor()
    if isinstance(actor, PupilPrincipal):
        return cached_override_layers(get_session(), actor.pupil)
    device = current_device() if actor is not None and not actor.is_authenticated else None
    if device is not None:
        return services.class_override_layers(get_session(), device.school_class)
    return []


def may_see_picture(code: str) -> bool:
    """Whether whoever makes this request may see school picture `code`: an account by the
    staff and carers' rule (`pictures.account_may_see`); a pupil, or a class iPad before a pupil
    signs in, where it is used on the layers its screens show (`_layers_for_request`)."""
    actor = current_actor()
    if isinstance(actor, Account):
        return pictures.account_may_see(get_session(), actor, code)
    if "pupil_layers" not in g:
        g.pupil_layers = _layers_for_request()
    layers: list[dict[str, str]] = g.pupil_layers
    return any(code in layer.values() for layer in layers)


# --- Whose symbols: the school, a class or a pupil ------------------------------------------


@dataclass(frozen=True)
class Target:
    """A layer of symbol choices as the tools name it: "school", "class-3" or "pupil-7"."""

    key: str
    label: str  # for lists: "Class Oak"
    in_words: str  # for sentences: "class Oak"
    school_class: SchoolClass | None = None
    pupil: Pupil | None = None
    group: str | None = None  # "Left the school": a leaver's, listed last (to read, not change)


def _staff() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _school_target() -> Target:
    return Target("school", "The whole school", "the whole school")


def _class_target(school_class: SchoolClass) -> Target:
    name = school_class.name
    return Target(f"class-{school_class.id}", f"Class {name}", f"class {name}", school_class)


def _pupil_target(pupil: Pupil) -> Target:
    key, name, class_name = f"pupil-{pupil.id}", pupil.full_name, pupil.school_class.name
    if not pupil.active:
        label = f"{name} ({class_name}, {left_note(pupil)})"
        return Target(key, label, name, pupil=pupil, group=LEFT_THE_SCHOOL)
    return Target(key, f"{name} ({class_name})", name, pupil=pupil)


def _target(key: str) -> Target:
    """The layer a key names, if this person may see it; otherwise 404."""
    kind, _, number = key.partition("-")
    actor, db = _staff(), get_session()
    if kind == "school" and not number:
        return _school_target()
    if kind == "class" and number.isdigit():
        found = db.scalar(policy.visible_classes(actor).where(SchoolClass.id == int(number)))
        if found is not None:
            return _class_target(found)
    if kind == "pupil" and number.isdigit():
        pupil = db.scalar(policy.visible_pupils(actor).where(Pupil.id == int(number)))
        if pupil is not None:
            return _pupil_target(pupil)
    raise NotFound


def _preview_targets() -> list[Target]:
    """Layers anyone on the staff may preview text with: the school and the classes they see."""
    classes = get_session().scalars(policy.visible_classes(_staff()))
    return [_school_target(), *(_class_target(c) for c in classes)]


def printing_targets() -> list[Target]:
    """The layers a strip, cards or a contact sheet can be printed with: the school, the classes
    this person sees, then the pupils they see in those classes, grouped by class (a pupil's
    own pictures win over the class's and the school's: their communication book, the strip on
    their desk). A pupil who has left is not offered."""
    targets = _preview_targets()
    classes = {t.school_class.id: t for t in targets if t.school_class is not None}
    query = policy.visible_pupils(_staff()).where(
        Pupil.active.is_(True), Pupil.class_id.in_(list(classes))
    )
    by_class: dict[int, list[Target]] = {class_id: [] for class_id in classes}
    for pupil in get_session().scalars(query):  # listed under their class: by name alone
        by_class[pupil.class_id].append(replace(_pupil_target(pupil), label=pupil.full_name))
    return targets + [t for pupils in by_class.values() for t in pupils]


def listed_pupils(targets: list[Target], where: str) -> None:
    """A page that lists the pupils whose symbols this person may change names them: audited
    as the pupil list is."""
    pupils = sum(1 for t in targets if t.pupil is not None)
    if pupils:
        record(get_session(), _staff(), "pupils.list_viewed", summary=f"{pupils} pupils, {where}")


def _editable_targets(with_leavers: bool = False) -> list[Target]:
    """Layers this person may change, per policy: school, then classes, then the pupils at the
    school. `with_leavers` (the chooser's list, `_chooser_targets`) adds last, grouped apart,
    the pupils who have left: their choices can be read there but not changed, so no other
    list of layers offers them."""
    actor, db = _staff(), get_session()
    targets = [_school_target()] if policy.can_edit_school_symbols(actor) else []
    targets.extend(
        _class_target(school_class)
        for school_class in db.scalars(policy.visible_classes(actor))
        if policy.can_edit_class_symbols(db, actor, school_class)
    )
    pupils = [
        _pupil_target(pupil)
        for pupil in db.scalars(policy.visible_pupils(actor))
        if policy.can_edit_pupil_settings(db, actor, pupil)
    ]
    targets.extend(t for t in pupils if t.group is None)
    if with_leavers:
        targets.extend(t for t in pupils if t.group is not None)
    return targets


def _chooser_targets() -> list[Target]:
    """The chooser's "For" list: the layers this person may change, then the leavers'."""
    return _editable_targets(with_leavers=True)


def _layers_of(target: Target) -> list[dict[str, str]]:
    db = get_session()
    if target.pupil is not None:
        return services.override_layers(db, target.pupil)
    if target.school_class is not None:
        return services.class_override_layers(db, target.school_class)
    return services.school_override_layers(db, _staff().school_id)


# --- The text tool ----------------------------------------------------------------------------


@bp.get("/text")
@allow("staff")
def text_tool() -> ResponseReturnValue:
    """Type any text; see it with symbols, hear it, and print it as a strip or as cards."""
    form = TextForm(formdata=request.args or None)
    targets = printing_targets()
    listed_pupils(targets, "the symbols text tool")
    form.layer.choices = [SelectChoice(t.key, t.label, optgroup=_group(t)) for t in targets]
    if request.args and not form.validate():
        return _text_page(form, [], None), 400
    text = form.text.data or ""
    target = _target(form.layer.data)
    tokens = symbolise(text, _layers_of(target)) if text.strip() else []
    return _text_page(form, tokens, target)


def _group(target: Target) -> str | None:
    """The text page's list puts each pupil under their class, as the contact sheet does."""
    pupil = target.pupil
    return f"Pupils in class {pupil.school_class.name}" if pupil is not None else None


def _text_page(form: TextForm, tokens: list[Token], shown: Target | None) -> str:
    keys = dict.fromkeys(t.key for t in tokens if t.is_word and t.key)
    # Each word's chooser opens on the pictures shown here, if this person may change them.
    editable = {t.key for t in _editable_targets()} if keys else set()
    return render_template(
        "symbols/text.html",
        form=form,
        tokens=tokens,
        words=list(keys)[:MAX_WORD_LINKS],
        # Each word's chooser comes back here, to that word (word_swap_web.saved_at).
        back=word_swap_web.without_saved(request.full_path.rstrip("?")),
        swapped=request.args.get(word_swap_web.SAVED_ARG, ""),
        shown=shown,
        choose_on=shown.key if shown is not None and shown.key in editable else None,
    )


# --- The symbol chooser ------------------------------------------------------------------------


@dataclass
class ChooserState:
    """What the chooser page shows; the GET page and a refused POST both render it."""

    phrase: str = ""
    search: str = ""
    layer: str = ""
    error: str | None = None
    back: str = ""  # the staff preview to go back to after choosing (a safe path), if any
    panel: bool = False  # just the chooser, for the word-swap dialog on a preview


@bp.get("/choose")
@allow("edit_pupil_settings")
def chooser() -> ResponseReturnValue:
    """Pictures for a word or phrase, the choices already made on one layer, and a way to
    choose another picture (or none) for the school, a class or a pupil."""
    targets = _chooser_targets()
    listed_pupils(targets, "choosing symbols")
    form = _chooser_form(targets, request.args or None)
    if "layer" not in request.args:
        form.layer.data = targets[0].key if targets else ""
    back, panel = safe_path(request.args.get("next"), ""), request.args.get("panel") == "1"
    if request.args and not form.validate():
        state = ChooserState(error="Please correct the problems below.", back=back, panel=panel)
        return _chooser_page(state, targets, form)
    state = ChooserState(
        form.phrase.data or "", form.search.data or "", form.layer.data or "", back=back
    )
    state.panel = panel
    return _chooser_page(state, targets, form)


def _chooser_form(targets: list[Target], formdata: object = None, **data: str) -> ChooserForm:
    form = ChooserForm(formdata=formdata, data=data or None)
    form.layer.choices = [SelectChoice(t.key, t.label, optgroup=t.group) for t in targets]
    return form


def _left(target: Target | None) -> str | None:
    """Why a leaver's symbol choices are read-only; None for any other layer."""
    if target is None or target.pupil is None or target.pupil.active:
        return None
    return left_settings(target.pupil, services.SYMBOL_CHOICES)


def _left_refusal(state: ChooserState, target: Target) -> ResponseReturnValue | None:
    """A leaver's choices, shown as they are (409) to a change sent from an older page."""
    if _left(target) is None:
        return None
    page = _chooser_page(replace(state, error=None), _chooser_targets(), refused=True)
    keep(get_session())  # the page shown is an access too: its audit outlives the 409
    return page


def _chooser_page(
    state: ChooserState,
    targets: list[Target],
    form: ChooserForm | None = None,
    refused: bool = False,
) -> ResponseReturnValue:
    if form is None:
        form = _chooser_form(targets, phrase=state.phrase, layer=state.layer)
    target = _target(state.layer) if state.layer else None
    overrides = _overrides_on(target)
    layers = _layers_of(target) if target is not None else []
    phrase = state.phrase.strip()
    return render_template(
        "symbols/choose_panel.html" if state.panel else "symbols/chooser.html",
        form=form,
        state=state,
        phrase=phrase,
        target=target,
        targets=targets,
        use_for=[t for t in targets if t.group is None],  # never a leaver's: read-only
        overrides=overrides,
        now=symbolise(phrase, layers) if phrase else [],
        chosen=_chosen(phrase, layers),
        options=_school_options(phrase) + queries.options_for(phrase, state.search)
        if phrase
        else [],
        hidden=HIDDEN,
        left=_left(target),
        refused=refused,
    ), (409 if refused else 400 if state.error else 200)


def _school_options(phrase: str) -> list[queries.Option]:
    """The school's own pictures uploaded for this word, first: only those this person may
    see (a pupil's own photo is for the staff who see that pupil, not every class)."""
    key, actor, db = normalise(phrase), _staff(), get_session()
    found = [p for p in pictures.school_pictures(db, actor.school_id) if p.label == key]
    if not found:
        return []
    uses = db.execute(
        select(SymbolOverride.symbol, SymbolOverride.class_id, SymbolOverride.pupil_id).where(
            SymbolOverride.school_id == actor.school_id,
            SymbolOverride.symbol.in_([p.code for p in found]),
        )
    ).all()
    classes = set(db.scalars(policy.visible_classes(actor).with_only_columns(SchoolClass.id)))
    pupils = set(db.scalars(policy.visible_pupils(actor).with_only_columns(Pupil.id)))
    seen: set[str] = set()
    for code, class_id, pupil_id in uses:
        school_wide = pupil_id is None and class_id is None
        if code and (pupil_id in pupils or class_id in classes or school_wide):
            seen.add(code)
    used = {code for code, _, _ in uses if code}
    offered = [
        p for p in found if p.code in seen or (p.code not in used and p.uploaded_by_id == actor.id)
    ]
    return [queries.Option(p.code, p.label) for p in offered][:6]


def _overrides_on(target: Target | None) -> list[SymbolOverride]:
    """The choices on a layer; listing them checks the person may change that layer."""
    if target is None:
        return []
    db = get_session()
    try:
        overrides = services.list_overrides(
            db, _staff(), school_class=target.school_class, pupil=target.pupil
        )
    except Refusal:
        abort(403)
    if target.pupil is not None:
        record(db, _staff(), "symbols.pupil_choices_viewed", target.pupil)
    return overrides


def _chosen(phrase: str, layers: list[dict[str, str]]) -> str | None:
    """The override for exactly this phrase on these layers ("hidden" for no symbol), if any."""
    key = normalise(phrase)
    found = None
    for layer in layers:
        found = layer.get(key, found)
    return found


@bp.post("/choices")
@allow("edit_pupil_settings")
def set_symbol() -> ResponseReturnValue:
    """Use a picture (or "hidden": none) for a phrase on one layer; audited by the service."""
    form = OverrideForm()
    back = safe_path(request.form.get("next"), "")
    state = ChooserState(form.phrase.data or "", layer=form.layer.data or "", back=back)
    if not form.validate_on_submit():
        return _refused(state, form.errors)
    target = _target(form.layer.data)
    if (refused := _left_refusal(state, target)) is not None:
        return refused
    db = get_session()
    apply_form(
        lambda: services.set_override(
            db,
            _staff(),
            form.phrase.data,
            form.symbol.data,
            school_class=target.school_class,
            pupil=target.pupil,
            picture_folder=picture_folder(),
            now=utcnow(),
        ),
        lambda message: _chooser_page(replace(state, error=message), _chooser_targets()),
    )
    if back:  # from a staff preview or the text page: back to the word just changed
        return redirect(word_swap_web.saved_at(back, target.key, form.phrase.data))
    # At the note saying so (#saved, focused), the phrase box next for the next word.
    return redirect(
        url_for(".chooser", phrase=form.phrase.data, layer=target.key, saved=1, _anchor="saved")
    )


@bp.post("/choices/clear")
@allow("edit_pupil_settings")
def clear_symbol() -> ResponseReturnValue:
    """Go back to the word list's picture for a phrase on one layer; audited by the service."""
    form = ClearForm()
    state = ChooserState(form.phrase.data or "", layer=form.layer.data or "")
    if not form.validate_on_submit():
        return _refused(state, form.errors)
    target = _target(form.layer.data)
    if (refused := _left_refusal(state, target)) is not None:
        return refused
    db = get_session()
    try:
        cleared = services.clear_override(
            db, _staff(), form.phrase.data, school_class=target.school_class, pupil=target.pupil
        )
    except Refusal:
        abort(403)
    # At the choices made, the note saying so focused: the next row's Change or Clear is next.
    if cleared:
        return redirect(url_for(".chooser", layer=target.key, cleared=1, _anchor="saved"))
    return redirect(url_for(".chooser", layer=target.key, unchanged=1, _anchor="saved"))


def _refused(state: ChooserState, errors: Mapping[str, Sequence[str]]) -> ResponseReturnValue:
    """A form that did not validate: say what was wrong, on a page that cannot fail itself."""
    state.error = " ".join(message for messages in errors.values() for message in messages)
    if not LAYER_KEY.fullmatch(state.layer):
        state.layer = ""
    return _chooser_page(state, _chooser_targets())


# Routes for "my people" live in their own module on this blueprint.
from classroom.symbols import (  # noqa: E402, F401
    people_views,
    picture_views,
    recording_views,
    sheet_views,
    word_swap_web,
)
