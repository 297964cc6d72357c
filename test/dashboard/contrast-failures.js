/* global document, getComputedStyle, NodeFilter */
// Run in the page by browser.test.ts: texts whose colour has less than 4.5:1 contrast against the
// background behind them (WCAG 2.1 success criterion 1.4.3; relative luminance as WCAG defines it).
// Text inside SVG charts is drawn in colours chosen for contrast on white and is skipped here.
// eslint-disable-next-line no-unused-vars -- called by name from the test, inside the page
function contrastFailures() {
  const parse = (c) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
    return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const lum = ([r, g, b]) => {
    const ch = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  const background = (el) => {
    for (let e = el; e !== null; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg !== undefined && bg[3] > 0.5) return bg;
    }
    return [255, 255, 255, 1];
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const text = node.textContent?.trim() ?? '';
    const el = node.parentElement;
    if (text === '' || el === null || el.closest('svg') !== null) continue;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || rect.width <= 1 || rect.height <= 1) continue;
    const fg = parse(style.color);
    if (fg === undefined) continue;
    const a = lum(fg);
    const b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(`${ratio.toFixed(2)}:1 "${text.slice(0, 40)}" (${el.tagName.toLowerCase()}.${el.className})`);
  }
  return out;
}
