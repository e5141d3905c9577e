// A tiny element builder: h('a', { href: '#/', class: 'x', onClick: fn }, 'text', child, [more]).
// Everything is built with DOM calls (no innerHTML), so API text can never become markup, and
// styles are set through the CSSOM (allowed by the page's Content-Security-Policy).

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'style') Object.assign(el.style, value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

let ids = 0;
/** A unique element id, for label/aria references. */
export const uid = (prefix = 'id') => `${prefix}-${++ids}`;

/** A section with a heading, labelled by it. */
export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A horizontal bar: share of `value` in `max`, with an accessible value. */
export function bar(value, max, label, cls = '', colour = null) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return h(
    'div',
    {
      class: `bar ${cls}`,
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': max,
      'aria-valuenow': value,
    },
    h('div', { class: 'bar-fill', style: colour ? { width: `${pct}%`, background: colour } : { width: `${pct}%` } }),
  );
}

export function errorBox(title, message, details = []) {
  return h(
    'div',
    { class: 'alert error', role: 'alert' },
    h('strong', {}, title),
    message ? h('p', {}, message) : null,
    details.length
      ? h(
          'ul',
          {},
          details.map((d) => h('li', {}, d)),
        )
      : null,
  );
}
