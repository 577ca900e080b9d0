() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const problems = [];
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
    getComputedStyle(el).visibility !== "hidden"; };
  const name = el => (el.getAttribute("aria-label") || el.textContent || el.tagName).trim()
    .replace(/\s+/g, " ").slice(0, 40);
  const worry = document.querySelector(".worry-button");
  const w = worry && shown(worry) ? worry.getBoundingClientRect() : null;
  const controls = [...document.querySelectorAll(
    "body.pupil a[href], body.pupil button, body.pupil textarea, body.pupil input:not([type=hidden])")]
    .filter(shown).filter(el => !el.closest(".ipad-name"));
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (w && el !== worry && !worry.contains(el) && r.left < w.right && r.right > w.left &&
        r.top < w.bottom && r.bottom > w.top) { problems.push("under the worry button: " + name(el)); }
    if (el.tagName !== "TEXTAREA" && (r.width < 64 || r.height < 64)) {
      problems.push("smaller than 64px: " + name(el) + " " + Math.round(r.width) + "x" + Math.round(r.height));
    }
  }
  const mustSee = [...document.querySelectorAll(
    ".choice-card, .ce-target, .big-next, [data-send], .tile, .worry-step:not([hidden]) textarea, .worry-button, .primary-action")]
    .filter(shown);
  // Cut off by a box that clips (overflow not visible) is as unseen as off the screen.
  const clipper = (el, r) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX === "visible" && style.overflowY === "visible") { continue; }
      const c = box.getBoundingClientRect();
      if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5 || r.left < c.left - 0.5 || r.right > c.right + 0.5) {
        return box;
      }
    }
    return null;
  };
  // Hidden under something else (a pinned row, the worry rail): a corner or the middle shows
  // another element. What shares the card's own slot or list item (its speaker, the "This one
  // next" label) is part of it.
  const covered = (el, r) => {
    const own = el.closest(".card-slot, li") || el;
    const points = [[r.left + 6, r.top + 6], [r.right - 6, r.top + 6], [r.left + 6, r.bottom - 6],
      [r.right - 6, r.bottom - 6], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x, y);
      if (hit && !own.contains(hit) && !hit.contains(el)) { return hit; }
    }
    return null;
  };
  // With "Are you finished?" open (a <dialog>, or the shell's own .finish-confirm panel over the
  // whole screen), the dialog is the screen: what is behind it waits.
  const dialog = document.querySelector("dialog[open], .finish-confirm:not([hidden])");
  for (const el of mustSee) {
    const r = el.getBoundingClientRect();
    if (r.top < 0 || r.left < 0 || r.bottom > vh + 0.5 || r.right > vw + 0.5) {
      problems.push("not in view at scroll 0: " + name(el));
    } else if (clipper(el, r)) {
      problems.push("cut off at scroll 0: " + name(el));
    } else if ((!dialog || dialog.contains(el)) && covered(el, r)) {
      const hit = covered(el, r);
      problems.push("covered at scroll 0: " + name(el) + " by " + hit.tagName + "." + hit.className);
    }
  }
  // A card's own speaker sits in its corner: never over the card's picture or words.
  for (const speaker of [...document.querySelectorAll(".card-speaker")].filter(shown)) {
    const s = speaker.getBoundingClientRect();
    const slot = speaker.closest(".card-slot, li");
    const parts = slot ? slot.querySelectorAll("img, .sym-label") : [];
    for (const part of [...parts].filter(p => shown(p) && !speaker.contains(p))) {
      const r = part.getBoundingClientRect();
      if (r.left < s.right - 1 && r.right > s.left + 1 && r.top < s.bottom - 1 && r.bottom > s.top + 1) {
        problems.push("card speaker over its card's " + (part.tagName === "IMG" ? "picture" : "words") +
          ": " + name(slot));
        break;
      }
    }
  }
  // Punctuation straight after a word ("to?") is read with it: never a line's first box.
  for (const gap of document.querySelectorAll(".sym-gap")) {
    const word = gap.previousElementSibling;
    if (!word || !word.classList.contains("sym-word") || !shown(gap) || /^\s/.test(gap.textContent)) { continue; }
    const g = gap.getBoundingClientRect(), r = word.getBoundingClientRect();
    if (g.left < r.right - 1 || g.top > r.bottom - 1) {
      problems.push("punctuation wrapped away from its word: " + name(word) + " " + gap.textContent);
    }
  }
  return problems;
}
