() => {
  // What the switch scanning ring (static/js/scan.js, static/css/symbols.css) does on the screen
  // now: for each ringed item, the ring's box (ringReach, ring_reach.js: its outline with offset,
  // or its widest shadow, round the item's box), and what that box lies over or is cut off by:
  //   covers: words or symbol pictures outside the ringed items (a glyph's box or a picture's
  //           box inside the ring's box by more than a pixel),
  //   clipped: the ring reaches past a box that clips (overflow not visible) or off the screen.
  const ringed = [...document.querySelectorAll(".scan-focus")];
  const rings = ringed.map(el => {
    const r = el.getBoundingClientRect(), d = ringReach(el);
    return { el, left: r.left - d, top: r.top - d, right: r.right + d, bottom: r.bottom + d, reach: d };
  });
  const inRinged = node => ringed.some(el => el.contains(node));
  const overlaps = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const label = ringLabel;
  const covers = [], clipped = [];
  // The words and pictures a pupil reads, outside whatever is ringed.
  const marks = readMarks(inRinged);
  for (const ring of rings) {
    for (const mark of marks) {
      if (overlaps(ring, mark.rect)) { covers.push(label(ring.el) + " over " + mark.what); }
    }
    let out = ring.top < -0.5 || ring.left < -0.5 || ring.bottom > innerHeight + 0.5 || ring.right > innerWidth + 0.5;
    for (let box = ring.el.parentElement; !out && box && box !== document.body; box = box.parentElement) {
      const s = getComputedStyle(box);
      if (s.overflowX === "visible" && s.overflowY === "visible") { continue; }
      const c = box.getBoundingClientRect();
      out = ring.top < c.top - 0.5 || ring.bottom > c.bottom + 0.5 || ring.left < c.left - 0.5 || ring.right > c.right + 0.5;
    }
    if (out) { clipped.push(label(ring.el)); }
  }
  return { ringed: ringed.map(label), covers: [...new Set(covers)], clipped };
}
