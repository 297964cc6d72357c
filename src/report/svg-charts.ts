/*
 * Charts as inline SVG text, shared by the HTML report (written on the server) and the dashboard
 * (drawn in the browser). No imports and no DOM: plain strings, every text escaped, colours from a
 * palette chosen for contrast on white (WCAG AA for the labels, distinguishable series).
 */

/** Escape text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Severity colours: dark enough for white text on them (contrast ≥ 4.5:1). */
export const SEVERITY_COLORS: Readonly<Record<string, string>> = {
  critical: '#8b0000',
  high: '#b3261e',
  medium: '#8a5300',
  low: '#2f5f8a',
  info: '#555f6d',
};

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  readonly color: string;
}

export interface StackedBarsOptions {
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Stacked bars, one per point (a day), one segment per series. The SVG has a title and a
 * description listing the numbers, so screen readers get the data, not a picture of it.
 */
export function stackedBars(
  points: readonly { readonly label: string; readonly values: Readonly<Record<string, number>> }[],
  series: readonly ChartSeries[],
  options: StackedBarsOptions,
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const left = 36;
  const bottom = 28;
  const top = 10;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const totals = points.map((p) => series.reduce((sum, s) => sum + (p.values[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const slot = points.length === 0 ? plotW : plotW / points.length;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    const y = top + plotH - (v / yMax) * plotH;
    parts.push(`<line x1="${left}" x2="${width - 8}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#d0d5dc" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3b4350">${v}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((point, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = top + plotH;
    for (const s of series) {
      const value = point.values[s.key] ?? 0;
      if (value === 0) continue;
      const h = (value / yMax) * plotH;
      y -= h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${point.label}: ${value} ${s.label}`)}</title></rect>`,
      );
    }
    if (i % labelEvery === 0 || i === points.length - 1) {
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#3b4350">${escapeXml(point.label)}</text>`,
      );
    }
  });
  const desc = points.map((p, i) => `${p.label}: ${totals[i] ?? 0}`).join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="chart-title chart-desc" class="chart"><title id="chart-title">${escapeXml(options.title)}</title><desc id="chart-desc">${escapeXml(desc)}</desc>${parts.join('')}</svg>`;
}

/** A legend for chart series, as HTML. */
export function legend(series: readonly ChartSeries[]): string {
  return `<ul class="legend">${series
    // An SVG swatch, not a style attribute: the dashboard's Content-Security-Policy forbids inline styles.
    .map(
      (s) =>
        `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${s.color}"/></svg> ${escapeXml(s.label)}</li>`,
    )
    .join('')}</ul>`;
}

/** Horizontal bars with their numbers, for counts by category (areas, namespaces). */
export function horizontalBars(
  rows: readonly { readonly label: string; readonly value: number; readonly color?: string }[],
  options: { readonly title: string; readonly width?: number },
): string {
  const width = options.width ?? 420;
  const rowH = 22;
  const labelW = 150;
  const height = Math.max(rowH, rows.length * rowH) + 4;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const plotW = width - labelW - 44;
  const parts = rows.map((r, i) => {
    const y = i * rowH + 2;
    const w = (r.value / max) * plotW;
    return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12" fill="#1f2630">${escapeXml(r.label)}</text><rect x="${labelW}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="${rowH - 7}" fill="${r.color ?? '#2f5f8a'}"/><text x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}" font-size="12" fill="#1f2630">${r.value}</text>`;
  });
  const desc = rows.map((r) => `${r.label}: ${r.value}`).join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" class="chart"><title>${escapeXml(options.title)}</title><desc>${escapeXml(desc)}</desc>${parts.join('')}</svg>`;
}

/** A ring showing a 0–100 score, with the number in the middle. */
export function scoreRing(value: number, label: string): string {
  const r = 52;
  const c = 2 * Math.PI * r;
  const clamped = Math.max(0, Math.min(100, value));
  const color = clamped >= 90 ? '#1d6b35' : clamped >= 70 ? '#8a5300' : '#b3261e';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 140 140" width="140" height="140" role="img" class="score-ring"><title>${escapeXml(`${label}: ${clamped} of 100`)}</title><circle cx="70" cy="70" r="${r}" fill="none" stroke="#e3e7ec" stroke-width="14"/><circle cx="70" cy="70" r="${r}" fill="none" stroke="${color}" stroke-width="14" stroke-dasharray="${((clamped / 100) * c).toFixed(1)} ${c.toFixed(1)}" transform="rotate(-90 70 70)"/><text x="70" y="78" text-anchor="middle" font-size="28" font-weight="700" fill="#1f2630">${clamped}</text></svg>`;
}

function niceStep(max: number): number {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= rough) return Math.max(1, m * pow);
  return Math.max(1, 10 * pow);
}
