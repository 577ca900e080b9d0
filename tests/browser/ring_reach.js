// How far the switch scanning ring (static/js/scan.js, static/css/symbols.css) reaches beyond a
// ringed item's box: its outline with offset, or its widest shadow. The measure scripts
// (measure_scan_ring.js, measure_ring_notes.js) use it; ipad_helpers.ring_measure puts it in
// front of each, as a script is evaluated alone in the page.
const ringReach = el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset);
  const shadow = /(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px/g;
  const spreads = [...s.boxShadow.matchAll(shadow)].map(m => parseFloat(m[4]));
  return Math.max(outline, ...spreads, 0);
};
