import { api } from '../lib/api.js';
import { h, uid } from '../lib/dom.js';
import { formatInstant, roleLabel, t } from '../lib/i18n.js';
import { enc } from './shared.js';

/** The notifications addressed to the user's unit and role, newest first; mark one or all read. */
export async function inboxView({ unreadOnly, navigate, onUnreadChange }) {
  const query = (before) =>
    `/api/notifications?limit=30${unreadOnly ? '&unread=true' : ''}${before ? `&before=${enc(before)}` : ''}`;
  const first = await api(query());
  let unread = first.unreadCount;
  const status = h('p', { class: 'muted', role: 'status' });
  const counter = h('p', { class: 'unread-count' }, t('inbox.unread', { n: unread }));
  const setUnread = (n) => {
    unread = n;
    counter.replaceChildren(t('inbox.unread', { n }));
    onUnreadChange(n);
  };
  const list = h('ol', { class: 'inbox', 'aria-label': t('inbox.title') });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('inbox.more'));
  let nextBefore = first.nextBefore;

  const item = (n) => {
    const readButton = h('button', { type: 'button', class: 'secondary' }, t('inbox.markRead'));
    const state = h(
      'span',
      { class: `badge ${n.readAt ? 'read' : 'new'}` },
      n.readAt ? t('inbox.read') : t('inbox.new'),
    );
    const li = h(
      'li',
      { class: `note${n.readAt ? '' : ' unread'}`, dataset: { id: n.id } },
      h(
        'div',
        { class: 'note-head' },
        state,
        h('strong', { class: 'note-title' }, n.title),
        h('time', { datetime: n.createdAt, class: 'muted small' }, formatInstant(n.createdAt)),
      ),
      h('p', { class: 'note-body' }, n.body),
      h(
        'div',
        { class: 'note-actions' },
        n.caseId ? h('a', { href: `#/case/${enc(n.caseId)}`, class: 'button-link' }, t('inbox.openCase')) : null,
        n.readAt ? null : readButton,
      ),
    );
    readButton.addEventListener('click', async () => {
      readButton.disabled = true;
      try {
        const updated = await api(`/api/notifications/${enc(n.id)}/read`, { method: 'POST' });
        li.classList.remove('unread');
        state.className = 'badge read';
        state.textContent = t('inbox.read');
        readButton.remove();
        if (!n.readAt && updated.readAt) setUnread(Math.max(0, unread - 1));
        n.readAt = updated.readAt;
      } catch (e) {
        readButton.disabled = false;
        status.textContent = e instanceof Error ? e.message : String(e);
      }
    });
    return li;
  };

  const showPage = (page) => {
    list.append(...page.items.map(item));
    nextBefore = page.nextBefore;
    more.hidden = !nextBefore;
  };
  showPage(first);
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      showPage(await api(query(nextBefore)));
    } finally {
      more.disabled = false;
    }
  });

  const filterId = uid('unread');
  const filter = h('input', {
    type: 'checkbox',
    id: filterId,
    checked: unreadOnly,
    onChange: (ev) => navigate(ev.target.checked ? '#/inbox?unread=1' : '#/inbox'),
  });
  const markAll = h('button', { type: 'button', class: 'secondary' }, t('inbox.markAll'));
  markAll.addEventListener('click', async () => {
    markAll.disabled = true;
    try {
      const result = await api('/api/notifications/read-all', { method: 'POST' });
      status.textContent = t('inbox.markedAll', { n: result.marked });
      for (const li of list.querySelectorAll('li.unread')) {
        li.classList.remove('unread');
        const badge = li.querySelector('.badge');
        badge.className = 'badge read';
        badge.textContent = t('inbox.read');
        li.querySelector('.note-actions button')?.remove();
      }
      setUnread(0);
    } finally {
      markAll.disabled = false;
    }
  });

  return h(
    'div',
    { class: 'page narrow-wide' },
    h(
      'header',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('inbox.title')),
      h('p', { class: 'muted' }, t('inbox.for', { role: roleLabel(first.role), unit: first.unitCode })),
    ),
    h(
      'div',
      { class: 'toolbar' },
      counter,
      h('label', { class: 'check' }, filter, ' ', t('inbox.unreadOnly')),
      markAll,
    ),
    status,
    first.items.length === 0 ? h('p', { class: 'muted empty' }, t('inbox.empty')) : list,
    more,
  );
}
