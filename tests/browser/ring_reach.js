// How far the switch scanning ring (static/js/scan.js, static/css/symbols.css) reaches beyond a
// ringed item's box: its outline with offset, or its widest shadow. The measure scripts
// (measure_scan_ring.js, measure_ring_notes.js) use it and the helpers below;
// ipad_helpers.ring_measure puts this in front of each, as a script is evaluated alone.
const ringReach = el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset);
  const shadow = /(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px/g;
  const spreads = [...s.boxShadow.matchAll(shadow)].map(m => parseFloat(m[4]));
  return Math.max(outline, ...spreads, 0);
};
// An item's name in a report: its label or its words.
const ringLabel = el => (el.getAttribute("aria-label") || el.textContent || el.tagName)
  .replace(/\s+/g, " ").trim().slice(0, 30);
// The words (each line's box) and pictures a pupil reads outside what `inRinged` holds, each as
// { rect, what }. A card's own speaker is left out: it is drawn above the ring (choosing.css).
const readMarks = inRinged => {
  const marks = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || inRinged(node)) { continue; }
    const owner = node.parentElement;
    if (!owner || owner.closest("script, template, style, [hidden], .visually-hidden, .worry-title")) { continue; }
    if (getComputedStyle(owner).visibility === "hidden") { continue; }
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) { marks.push({ rect, what: node.textContent.trim().slice(0, 30) }); }
  }
  for (const img of document.querySelectorAll("body img")) {
    if (inRinged(img) || img.closest("[hidden], .visually-hidden, .worry-title, .card-speaker")) { continue; }
    if (getComputedStyle(img).visibility === "hidden") { continue; }
    const rect = img.getBoundingClientRect();
    if (rect.width && rect.height) { marks.push({ rect, what: "picture " + (img.getAttribute("alt") || img.src.split("/").pop()) }); }
  }
  return marks;
};
