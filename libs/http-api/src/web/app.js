// The steering committee's dashboard: a hash-routed single-page app over the rasoat API.
//   #/login              paste an access token (or open the #token=… link `npm start` prints)
//   #/unit/CODE          progress of a unit; drill down province → district → commune → village
//   #/case/ID            one village's case (also /cases/ID, the links in notifications)
//   #/inbox              notifications
//   #/definitions[/KEY]  published definitions; validate, diff, publish (province admins)

import { api, cached, clearToken, currentActor, getToken, rememberUnits, setToken, unitNames } from './lib/api.js';
import { errorBox, h } from './lib/dom.js';
import { formatInstant, getLang, roleLabel, setLang, t } from './lib/i18n.js';
import { caseView } from './views/case.js';
import { definitionsView } from './views/definitions.js';
import { inboxView } from './views/inbox.js';
import { loginView } from './views/login.js';
import { progressView } from './views/progress.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
const skip = document.getElementById('skip');
let sessionMessage = null;
let renders = 0;
let running = null;
let unread = null;

// On load and on every hash change: `#token=…` (the link `npm start` prints) signs this tab in.
function adoptLocation() {
  const token = /^#token=([^&]+)/.exec(location.hash);
  if (token) {
    setToken(decodeURIComponent(token[1]));
    sessionMessage = null;
    unread = null;
  }
  const caseLink = /^\/cases\/([0-9a-f-]{36})\/?$/i.exec(location.pathname);
  if (caseLink) history.replaceState(null, '', `/#/case/${caseLink[1]}`);
  else if (token) history.replaceState(null, '', '/#/'); // the token leaves the address bar and history
}

export function navigate(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function parse() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return {
    parts: path
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(qs),
  };
}

function viewFor(parts, query, signal) {
  const [page, arg] = parts;
  if (page === 'unit' && arg) return progressView({ code: arg, campaignId: query.get('campaign'), signal, navigate });
  if (page === 'case' && arg) return caseView({ id: arg });
  if (page === 'inbox')
    return inboxView({ unreadOnly: query.get('unread') === '1', navigate, onUnreadChange: setUnread });
  if (page === 'definitions') return definitionsView({ key: arg, navigate });
  return h(
    'div',
    { class: 'page' },
    h('h1', { tabindex: '-1' }, t('notFound')),
    h('p', {}, h('a', { href: '#/' }, t('nav.progress'))),
  );
}

async function render() {
  adoptLocation();
  const seq = ++renders;
  running?.abort();
  running = new AbortController();
  const { parts, query } = parse();
  document.documentElement.lang = getLang();
  skip.textContent = t('skip');
  const actor = currentActor();
  if (parts[0] === 'login' || !getToken() || !actor) {
    if (parts[0] !== 'login') return navigate('#/login');
    renderHeader(null);
    main.replaceChildren(
      loginView({
        reason: sessionMessage,
        onSignedIn: () => {
          sessionMessage = null;
          unread = null;
          navigate('#/');
        },
      }),
    );
    document.title = `${t('login.title')} — ${t('app.title')}`;
    main.querySelector('h1')?.focus();
    return;
  }
  if (parts.length === 0) return navigate(`#/unit/${encodeURIComponent(actor.unit)}`);
  renderHeader(parts[0]);
  void refreshUnread();
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('loading')));
  try {
    const view = await viewFor(parts, query, running.signal);
    if (seq !== renders) return;
    main.replaceChildren(view);
    document.title = `${main.querySelector('h1')?.textContent ?? ''} — ${t('app.title')}`;
    main.querySelector('h1')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  } catch (e) {
    if (seq !== renders || e?.status === 401) return; // a 401 already sent us to the login screen
    main.replaceChildren(
      h(
        'div',
        { class: 'page' },
        h('h1', { tabindex: '-1' }, t('error.title')),
        errorBox(e?.status ? `${e.status} ${e.code}` : t('error.network'), e instanceof Error ? e.message : String(e)),
        h('button', { type: 'button', class: 'secondary', onClick: () => void render() }, t('error.retry')),
      ),
    );
  } finally {
    if (seq === renders) main.removeAttribute('aria-busy');
  }
}

let unreadBadge = null;
function setUnread(n) {
  unread = n;
  if (unreadBadge) {
    unreadBadge.textContent = n > 0 ? String(n) : '';
    unreadBadge.hidden = !(n > 0);
    unreadBadge.setAttribute('aria-label', t('nav.unread', { n }));
  }
}

async function refreshUnread() {
  try {
    const page = await api('/api/notifications?unread=true&limit=1');
    setUnread(page.unreadCount);
  } catch {
    // the badge is a convenience; the inbox page shows the error
  }
}

function renderHeader(active) {
  const actor = currentActor();
  const other = getLang() === 'vi' ? 'en' : 'vi';
  const lang = h(
    'button',
    {
      type: 'button',
      class: 'lang',
      lang: other,
      'aria-label': t('lang.switchLabel'),
      title: t('lang.switchLabel'),
      onClick: () => {
        setLang(other);
        void render();
      },
    },
    other.toUpperCase(),
  );
  if (!actor || !getToken()) {
    top.replaceChildren(brand(), h('div', { class: 'tools' }, lang));
    return;
  }
  unreadBadge = h('span', { class: 'count', hidden: true });
  const link = (href, key, isActive, extra) =>
    h('li', {}, h('a', { href, 'aria-current': isActive ? 'page' : null }, t(key), extra));
  const unitLabel = h(
    'span',
    { class: 'who-unit' },
    actor.unit === 'VN' ? t('nation') : (unitNames.get(actor.unit)?.name ?? actor.unit),
  );
  if (actor.unit !== 'VN' && !unitNames.has(actor.unit)) {
    cached(`/api/units/${encodeURIComponent(actor.unit)}`)
      .then(({ unit }) => {
        rememberUnits([unit]);
        unitLabel.textContent = unit.name;
      })
      .catch(() => undefined);
  }
  const expires = actor.exp ? t('who.expires', { at: formatInstant(new Date(actor.exp * 1000).toISOString()) }) : '';
  top.replaceChildren(
    brand(),
    h(
      'nav',
      { class: 'main-nav', 'aria-label': t('nav.label') },
      h(
        'ul',
        {},
        link(`#/unit/${encodeURIComponent(actor.unit)}`, 'nav.progress', active === 'unit' || active === 'case'),
        link('#/inbox', 'nav.inbox', active === 'inbox', unreadBadge),
        link('#/definitions', 'nav.definitions', active === 'definitions'),
      ),
    ),
    h(
      'div',
      { class: 'tools' },
      h(
        'div',
        { class: 'who', role: 'group', 'aria-label': t('who.label'), title: expires },
        h('span', { class: 'who-name' }, actor.name ?? actor.sub),
        h('span', { class: 'who-role' }, roleLabel(actor.role), ' · ', unitLabel, ` (${actor.unit})`),
      ),
      lang,
      h(
        'button',
        {
          type: 'button',
          class: 'logout',
          onClick: () => {
            clearToken();
            unread = null;
            navigate('#/login');
          },
        },
        t('logout'),
      ),
    ),
  );
  if (unread !== null) setUnread(unread);
}

function brand() {
  return h(
    'a',
    { class: 'brand', href: '#/' },
    h('img', { src: '/assets/favicon.svg', alt: '', width: 28, height: 28 }),
    h('span', { class: 'brand-text' }, t('app.title')),
  );
}

window.addEventListener('rasoat:unauthenticated', (ev) => {
  sessionMessage = ev.detail;
  navigate('#/login');
});
window.addEventListener('hashchange', () => void render());
skip.addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});

void render();
