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
  for (const el of mustSee) {
    const r = el.getBoundingClientRect();
    if (r.top < 0 || r.left < 0 || r.bottom > vh + 0.5 || r.right > vw + 0.5) {
      problems.push("not in view at scroll 0: " + name(el));
    }
  }
  return problems;
}
