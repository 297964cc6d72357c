/** A tiny DOM helper: elements with attributes and children, text always set as text (never parsed as HTML). */

type Child = Node | string | number | null | undefined | false;

export type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/**
 * An element holding SVG markup made by the chart functions (which escape every text they write).
 * The markup never contains data that was not escaped.
 */
export function svgBox(markup: string, className = 'chart-box'): HTMLDivElement {
  const box = document.createElement('div');
  box.className = className;
  box.innerHTML = markup;
  return box;
}

export function clear(element: Element): void {
  while (element.firstChild !== null) element.removeChild(element.firstChild);
}

/** Announce a short message to screen readers. */
export function announce(message: string): void {
  const status = document.getElementById('status');
  if (status !== null) status.textContent = message;
}

export function severityBadge(severity: string): HTMLSpanElement {
  return h('span', { class: `badge sev-${severity}` }, severity);
}

export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function resourceText(resource: { kind: string; namespace?: string; name: string }): string {
  return resource.namespace === undefined ? `${resource.kind} ${resource.name}` : `${resource.kind} ${resource.namespace}/${resource.name}`;
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id === '' ? `f-${Math.random().toString(36).slice(2, 9)}` : control.id;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint === undefined ? null : h('small', {}, hint));
}

export function select(name: string, options: readonly { value: string; label: string }[], value = ''): HTMLSelectElement {
  const el = h('select', { name });
  for (const o of options) {
    const option = h('option', { value: o.value }, o.label);
    if (o.value === value) option.selected = true;
    el.appendChild(option);
  }
  return el;
}
