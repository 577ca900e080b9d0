() => {
  // The switch scanning ring now (ringReach, ring_reach.js: its outline with offset, or its
  // widest shadow, round each ringed item) against the screen's boxes, border and all: its notes
  // and signs ("A worry is saved on this iPad. It is not sent yet.", "No sound. Ask an adult.")
  // and the picture password's progress dots; and against every word and picture outside what
  // is ringed. Strict: a ring that reaches even a pixel into one of them is reported
  // (measure_scan_ring.js lets a pixel pass), and a box has a pixel of the page showing between
  // it and the ring (so a box 14px from an item is clear of the usual 13px ring).
  const ringed = [...document.querySelectorAll(".scan-focus")];
  const label = ringLabel;
  const shown = el => el.getClientRects().length > 0 && !el.closest("[hidden]") &&
    getComputedStyle(el).visibility !== "hidden";
  const inRinged = node => ringed.some(el => el.contains(node));
  const marks = [];
  const clear = 1;  // px of the page between a ring and a box beside it
  const boxed = rect => ({ left: rect.left - clear, top: rect.top - clear, right: rect.right + clear,
    bottom: rect.bottom + clear });
  for (const note of document.querySelectorAll(".worry-pending, .speech-sign")) {
    if (shown(note)) { marks.push({ rect: boxed(note.getBoundingClientRect()), what: "note " + label(note) }); }
  }
  const dots = [...document.querySelectorAll(".progress .dot")].filter(shown);
  dots.forEach((dot, i) => marks.push({ rect: boxed(dot.getBoundingClientRect()), what: "progress dot " + (i + 1) }));
  marks.push(...readMarks(inRinged));
  const covers = [];
  for (const el of ringed) {
    const r = el.getBoundingClientRect(), d = ringReach(el);
    const ring = { left: r.left - d, top: r.top - d, right: r.right + d, bottom: r.bottom + d };
    for (const { rect, what } of marks) {
      const x = Math.min(ring.right, rect.right) - Math.max(ring.left, rect.left);
      const y = Math.min(ring.bottom, rect.bottom) - Math.max(ring.top, rect.top);
      if (x > 0.25 && y > 0.25) { covers.push(`${label(el)} over ${what} by ${Math.min(x, y).toFixed(1)}px`); }
    }
  }
  const notes = [...document.querySelectorAll(".worry-pending, .speech-sign")].filter(shown).map(label);
  return { ringed: ringed.map(label), notes, dots: dots.length, covers: [...new Set(covers)] };
}
