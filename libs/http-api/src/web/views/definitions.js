import { api, ApiError, currentActor, definition, forget } from '../lib/api.js';
import { renderDiagram } from '../lib/diagram.js';
import { errorBox, h, section, uid } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { enc, labels } from './shared.js';

const ADMINS = ['province_admin', 'national_admin'];

// The editor keeps its text while the admin browses versions.
const draft = { yaml: '', fileName: 'definition.yaml', against: '' };

/** Published versions (anyone may read); validate, diff and publish YAML (province and national admins). */
export async function definitionsView({ key, navigate }) {
  const versions = await api('/api/definitions');
  const actor = currentActor();
  const isAdmin = actor && ADMINS.includes(actor.role);
  const selected = key ? await definition(key) : null;
  if (selected) draft.against = selected.key; // diff against what is on screen

  const list = section(
    t('defs.list'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'responsive defs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('defs.key'), t('defs.name'), t('defs.scope'), t('defs.status'), t('defs.publishedAt')].map((x) =>
              h('th', { scope: 'col' }, x),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          versions.map((v) =>
            h(
              'tr',
              { class: v.key === selected?.key ? 'selected' : '', dataset: { key: v.key } },
              h(
                'th',
                { scope: 'row', 'data-label': t('defs.key') },
                h(
                  'a',
                  { href: `#/definitions/${enc(v.key)}`, 'aria-current': v.key === selected?.key ? 'true' : null },
                  v.key,
                ),
              ),
              h(
                'td',
                { 'data-label': t('defs.name') },
                v.title,
                v.extends ? h('span', { class: 'muted small' }, ` (${t('defs.extends')} ${v.extends})`) : null,
              ),
              h(
                'td',
                { 'data-label': t('defs.scope') },
                v.provinceCode ? t('defs.province', { code: v.provinceCode }) : t('defs.national'),
              ),
              h(
                'td',
                { 'data-label': t('defs.status') },
                h('span', { class: `badge ${v.status}` }, t(`defs.status.${v.status}`)),
              ),
              h(
                'td',
                { 'data-label': t('defs.publishedAt') },
                formatInstant(v.publishedAt),
                h('span', { class: 'muted small' }, ` ${v.publishedBy}`),
              ),
            ),
          ),
        ),
      ),
    ),
  );

  const detail = selected
    ? versionDetail(selected, isAdmin)
    : section(t('defs.yaml'), h('p', { class: 'muted' }, t('defs.pick')));
  const editor = isAdmin
    ? editorSection(versions, navigate)
    : section(t('defs.editor'), h('p', { class: 'muted' }, t('defs.adminOnly')));
  return h(
    'div',
    { class: 'page' },
    h('header', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('defs.title'))),
    list,
    h('div', { class: 'two-col wide-right' }, detail, editor),
  );
}

function versionDetail(v, isAdmin) {
  const L = labels(v);
  return section(
    `${v.key} — ${v.title}`,
    h(
      'p',
      { class: 'muted small' },
      `${v.provinceCode ? t('defs.province', { code: v.provinceCode }) : t('defs.national')} · ${t(`defs.status.${v.status}`)} · ${v.contentHash.slice(0, 12)}`,
    ),
    renderDiagram(v.diagram, {
      current: [],
      labelOf: (id) => (L.steps.has(id) ? L.step(id) : null),
      eventLabel: L.event,
    }),
    h(
      'details',
      { class: 'yaml-box' },
      h('summary', {}, t('defs.yaml')),
      v.sourceText
        ? h('pre', { class: 'yaml', tabindex: '0' }, v.sourceText)
        : h('p', { class: 'muted' }, t('defs.noSource')),
    ),
    isAdmin && v.sourceText
      ? h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onClick: () => {
              draft.yaml = v.sourceText;
              draft.fileName = `${v.key.replace('@', '-v')}.yaml`;
              draft.against = v.key;
              const area = document.getElementById('def-yaml');
              if (area) {
                area.value = draft.yaml;
                document.getElementById('def-file').value = draft.fileName;
                document.getElementById('def-against').value = draft.against;
                area.focus();
              }
            },
          },
          t('defs.toEditor'),
        )
      : null,
  );
}

function editorSection(versions, navigate) {
  const hintId = uid('hint');
  const yaml = h('textarea', {
    id: 'def-yaml',
    class: 'mono',
    rows: 18,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': hintId,
    value: draft.yaml,
    onInput: (ev) => (draft.yaml = ev.target.value),
  });
  const fileName = h('input', {
    id: 'def-file',
    type: 'text',
    value: draft.fileName,
    onInput: (ev) => (draft.fileName = ev.target.value),
  });
  const against = h(
    'select',
    { id: 'def-against', onChange: (ev) => (draft.against = ev.target.value) },
    versions.map((v) => h('option', { value: v.key, selected: v.key === draft.against }, v.key)),
  );
  if (!draft.against && versions[0]) draft.against = versions[0].key;
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const busy = (button, work) => async () => {
    if (!yaml.value.trim()) {
      result.replaceChildren(h('p', { class: 'alert warn', role: 'alert' }, t('defs.emptyYaml')));
      return;
    }
    button.disabled = true;
    try {
      await work();
    } catch (e) {
      result.replaceChildren(apiErrorView(e, yaml, fileName.value));
    } finally {
      button.disabled = false;
    }
  };

  const validate = h('button', { type: 'button', class: 'primary' }, t('defs.validate'));
  validate.addEventListener(
    'click',
    busy(validate, async () => {
      const report = await api('/api/admin/definitions/validate', {
        method: 'POST',
        body: { yaml: yaml.value, fileName: fileName.value || undefined },
      });
      if (report.valid) {
        const L = labels({ definition: report.definition });
        result.replaceChildren(
          h('p', { class: 'alert ok', role: 'status' }, t('defs.valid', { key: report.key })),
          report.diagram
            ? h(
                'div',
                {},
                h('h3', {}, t('defs.preview')),
                renderDiagram(report.diagram, {
                  current: [],
                  labelOf: (id) => (L.steps.has(id) ? L.step(id) : null),
                  eventLabel: L.event,
                }),
              )
            : null,
        );
      } else {
        result.replaceChildren(errorList(report.errors, yaml, fileName.value));
      }
    }),
  );

  const diff = h('button', { type: 'button', class: 'secondary' }, t('defs.diff'));
  diff.addEventListener(
    'click',
    busy(diff, async () => {
      const d = await api('/api/admin/definitions/diff', {
        method: 'POST',
        body: { against: against.value, yaml: yaml.value },
      });
      result.replaceChildren(diffView(d));
    }),
  );

  const publish = h('button', { type: 'button', class: 'danger' }, t('defs.publish'));
  publish.addEventListener(
    'click',
    busy(publish, async () => {
      const confirmYes = h('button', { type: 'button', class: 'danger' }, t('defs.confirmYes'));
      const cancel = h('button', { type: 'button', class: 'secondary' }, t('defs.cancel'));
      result.replaceChildren(
        h(
          'div',
          { class: 'alert warn', role: 'alertdialog', 'aria-label': t('defs.confirm') },
          h('p', {}, t('defs.confirm')),
          h('div', { class: 'row' }, confirmYes, cancel),
        ),
      );
      confirmYes.focus();
      cancel.addEventListener('click', () => result.replaceChildren());
      confirmYes.addEventListener('click', async () => {
        confirmYes.disabled = true;
        try {
          const published = await api('/api/admin/definitions', {
            method: 'POST',
            body: { yaml: yaml.value, fileName: fileName.value || undefined },
          });
          forget('/api/definitions');
          result.replaceChildren(
            h(
              'p',
              { class: 'alert ok', role: 'status' },
              t('defs.published', { key: published.key }),
              ' ',
              h('a', { href: `#/definitions/${enc(published.key)}` }, published.key),
            ),
          );
          setTimeout(() => navigate(`#/definitions/${enc(published.key)}`), 50);
        } catch (e) {
          result.replaceChildren(h('strong', {}, t('defs.publishFailed')), apiErrorView(e, yaml, fileName.value));
        }
      });
    }),
  );

  return section(
    t('defs.editor'),
    h('p', { id: hintId, class: 'muted small' }, t('defs.editorHint')),
    h('label', { for: 'def-yaml' }, 'YAML'),
    yaml,
    h(
      'div',
      { class: 'form-row' },
      h('div', {}, h('label', { for: 'def-file' }, t('defs.fileName')), fileName),
      h('div', {}, h('label', { for: 'def-against' }, t('defs.against')), against),
    ),
    h('div', { class: 'row buttons' }, validate, diff, publish),
    result,
  );
}

/**
 * Errors as `file:line:col path message`; those in the text being edited get a button that
 * selects the place in the editor (others point into a published base the overlay extends).
 */
function errorList(errors, textarea, fileName) {
  return h(
    'div',
    { class: 'alert error', role: 'alert' },
    h('strong', {}, t('defs.invalid', { n: errors.length })),
    h(
      'ol',
      { class: 'def-errors' },
      errors.map((e) =>
        h(
          'li',
          { dataset: { line: e.line, col: e.col } },
          h('code', { class: 'loc' }, `${e.file}:${e.line}:${e.col}`),
          ' ',
          h('code', { class: 'path' }, e.path),
          ' ',
          h('span', { class: 'message' }, e.message),
          e.line > 0 && (e.file === fileName || e.file === 'definition.yaml')
            ? h(
                'button',
                { type: 'button', class: 'link small', onClick: () => gotoLine(textarea, e.line, e.col) },
                t('defs.goto', { line: e.line }),
              )
            : null,
        ),
      ),
    ),
  );
}

function gotoLine(textarea, line, col) {
  const lines = textarea.value.split('\n');
  const index = Math.min(line, lines.length) - 1;
  const start = lines.slice(0, index).reduce((sum, l) => sum + l.length + 1, 0);
  const end = start + (lines[index]?.length ?? 0);
  textarea.focus();
  textarea.setSelectionRange(Math.min(end, start + Math.max(0, col - 1)), end);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, index * lineHeight - textarea.clientHeight / 3);
}

function apiErrorView(e, textarea, fileName) {
  if (e instanceof ApiError && Array.isArray(e.details?.errors)) return errorList(e.details.errors, textarea, fileName);
  if (e instanceof ApiError)
    return errorBox(
      `${e.status} ${e.code}`,
      e.message,
      Array.isArray(e.details?.fields) ? e.details.fields.map((f) => `${f.field}: ${f.message}`) : [],
    );
  return errorBox(t('error.title'), e instanceof Error ? e.message : String(e));
}

function diffView(d) {
  const sections = ['steps', 'events', 'roles', 'parameters'];
  const rows = [];
  for (const name of sections) {
    const sd = d.changes[name];
    for (const kind of ['added', 'removed', 'changed'])
      if (sd?.[kind]?.length)
        rows.push(
          h('li', {}, h('strong', {}, `${t(`defs.section.${name}`)} — ${t(`defs.${kind}`)}: `), sd[kind].join(', ')),
        );
  }
  for (const v of d.changes.parameters?.values ?? [])
    rows.push(h('li', {}, h('code', {}, v.name), `: ${JSON.stringify(v.from)} → ${JSON.stringify(v.to)}`));
  if (d.changes.fields?.length)
    rows.push(h('li', {}, h('strong', {}, `${t('defs.fields')}: `), d.changes.fields.join(', ')));
  const text = h(
    'pre',
    { class: 'diff', tabindex: '0' },
    d.text.split('\n').map((line) =>
      h(
        'span',
        {
          class:
            line.startsWith('+') && !line.startsWith('+++')
              ? 'add'
              : line.startsWith('-') && !line.startsWith('---')
                ? 'del'
                : line.startsWith('@@')
                  ? 'hunk'
                  : '',
        },
        `${line}\n`,
      ),
    ),
  );
  return h(
    'div',
    { class: 'diff-view' },
    h('h3', {}, t('defs.diffTitle', { from: d.from, to: d.to })),
    rows.length ? h('ul', {}, rows) : h('p', { class: 'muted' }, t('defs.noChanges')),
    text,
  );
}
