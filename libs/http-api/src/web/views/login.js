import { api, ApiError, clearToken, decodeToken, setToken } from '../lib/api.js';
import { h, uid } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/** Paste a token (the one `npm start` prints, or one minted by the CLI); it is checked against the API. */
export function loginView({ reason, onSignedIn }) {
  const fieldId = uid('token');
  const hintId = uid('hint');
  const feedback = h(
    'div',
    { class: 'feedback', role: 'alert', 'aria-live': 'assertive' },
    reason ? h('p', { class: 'alert warn' }, t('login.again', { message: reason })) : null,
  );
  const input = h('textarea', {
    id: fieldId,
    name: 'token',
    rows: 5,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': hintId,
    class: 'mono',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const fail = (message) => {
    feedback.replaceChildren(h('p', { class: 'alert error' }, message));
    input.focus();
  };
  const form = h(
    'form',
    {
      class: 'card login',
      onSubmit: async (ev) => {
        ev.preventDefault();
        const token = input.value.trim().replace(/^Bearer\s+/i, '');
        const claims = decodeToken(token);
        if (!claims) return fail(t('login.malformed'));
        // Expiry is the server's call (its clock), reported below when it refuses the token.
        submit.disabled = true;
        setToken(token);
        try {
          await api('/api/campaigns');
          onSignedIn();
        } catch (e) {
          clearToken();
          fail(t('login.rejected', { message: e instanceof ApiError ? e.message : String(e) }));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', { for: fieldId }, t('login.token')),
    input,
    h('p', { id: hintId, class: 'muted small' }, t('login.stored')),
    submit,
  );
  return h(
    'div',
    { class: 'page narrow' },
    h('h1', { tabindex: '-1' }, t('login.title')),
    h('p', {}, t('login.intro')),
    h('pre', { class: 'command' }, 'npm run -s rasoat -- token --role province_committee --unit 24'),
    feedback,
    form,
  );
}
