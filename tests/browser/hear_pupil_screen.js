() => {
  // Every visible word on a pupil screen can be heard (issue 11). A word is heard when it is a
  // word button that says itself; or inside something with speech of its own (data-speak, a card
  // or tile whose speaker says it); or inside a region a "Read to me" on the screen reads, and
  // that reading says the word; or in a row or button that Read to me says after its region
  // (data-say-with, static/js/speech.js). Returns the words that cannot be heard, and any mark
  // standing alone (a quote mark, bracket or full stop with no word to it: the symboliser puts
  // each mark on its word, "'Buy", "gems'.", so a lone one is a fault in itself).
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
    getComputedStyle(el).visibility !== "hidden"; };
  // With "Are you finished?" open, the screen is that panel; otherwise the page's main content
  // and the buttons beside it (Report a worry or Not now, a worry not sent yet, Finished).
  const dialog = document.querySelector("dialog[open], .finish-confirm:not([hidden])");
  const scopes = dialog ? [dialog]
    : [document.getElementById("main"), document.querySelector(".worry-rail"),
       document.getElementById("finished-form")].filter(Boolean);
  if (!scopes.length) { return []; }
  // A word is letters or digits, with an apostrophe only inside it ("don't"): a mark alone is
  // no word that could be heard.
  const words = text => (text || "").toLowerCase().replace(/\u2019/g, "'")
    .match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) || [];
  const lone = text => !words(text).length && /[^\s]/u.test(text);
  const says = (el, word) => words(el.getAttribute("data-say") || el.textContent).includes(word);
  const speaks = (el, word) => words(el.getAttribute("data-speak")).includes(word);
  const readerFor = id => !!id && [...document.querySelectorAll("[data-read-to-me]")]
    .some(b => b.getAttribute("data-read-to-me").replace(/^#/, "") === id && shown(b));
  const heard = (el, word) => {
    if (el.closest("button.sym-word, .sym-read-to-me")) { return true; }  // says itself; is the reader
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      if (box.hasAttribute("data-speak") && speaks(box, word)) { return true; }
      if (box.matches(".card-slot, li") &&
          [...box.querySelectorAll("[data-speak]")].some(s => shown(s) && speaks(s, word))) { return true; }
      if (readerFor(box.id) && says(box, word)) { return true; }
      if (readerFor(box.getAttribute("data-say-with"))) { return true; }
      // Said after every screen's words by any Read to me on it (static/js/speech.js).
      if (box.getAttribute("data-say-with") === "*" &&
          [...document.querySelectorAll("[data-read-to-me]")].some(shown)) { return true; }
    }
    return false;
  };
  // Seen: laid out, not hidden, not a screen-reader-only text (a 1px box), not typed by the
  // pupil, and not the start screen's iPad name and staff link (for adults).
  const seen = el => {
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      if (box.hidden || box.tagName === "TEXTAREA" || box.matches(".ipad-name")) { return false; }
      if (getComputedStyle(box).display === "contents") { continue; }  // no box of its own
      const r = box.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1 || getComputedStyle(box).visibility === "hidden") { return false; }
    }
    return true;
  };
  const missing = [];
  for (const scope of scopes) {
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!/[^\s]/u.test(node.textContent) || !seen(node.parentElement)) { continue; }
      const mark = node.textContent.trim();
      if (lone(node.textContent) && !missing.includes(`lone mark ${mark}`)) {
        missing.push(`lone mark ${mark}`);
      }
      for (const word of words(node.textContent)) {
        if (!heard(node.parentElement, word) && !missing.includes(word)) { missing.push(word); }
      }
    }
  }
  return missing;
}
