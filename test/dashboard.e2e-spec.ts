import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, CaseDeadlinesService, signToken } from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

// The browser is Debian's chromium package (.ci/run installs it); playwright-core downloads nothing.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '.data', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

const json = (res: Response): Promise<any> => res.json();

// A browser, an engine and a worker: slower than jest's default 5 s per hook or test.
jest.setTimeout(120_000);

// A province T1 overlay with a misspelt step: the validator points at line 10, column 9.
const BROKEN_OVERLAY = `extends: periodic-review@1
id: t1-dashboard-review
version: 1
province: T1
sources: [Kế hoạch thử nghiệm của tỉnh T1]
patch:
  steps:
    listing:
      on:
        REVIEW_LIST_SUBMITTED: surveyy
`;

// The same overlay, correct: a longer posting period.
const GOOD_OVERLAY = `extends: periodic-review@1
id: t1-dashboard-review
version: 1
province: T1
sources: [Kế hoạch thử nghiệm của tỉnh T1]
patch:
  parameters:
    postingWorkingDays: { value: 5 }
`;

/**
 * The dashboard in a real headless browser against the real API and worker: sign in, drill
 * down province → district → commune → village case, read the inbox, validate a definition.
 */
describe('dashboard in a browser', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let browser: Browser;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  let phonePage: Page;
  const problems: string[] = [];
  const token = (role: string, unit: string, name?: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit, name }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer: string, body?: unknown) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Each case's village, where its village board acts. */
  const villageOf = new Map<string, string>();
  const send = async (caseId: string, type: string, data: Record<string, unknown>) => {
    const res = await call(
      'POST',
      `/api/cases/${caseId}/events?wait=15000`,
      token('village_board', villageOf.get(caseId) as string),
      { type, data },
    );
    expect(res.status).toBe(200);
  };
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });
  const watch = (p: Page, label: string) => {
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${label} console ${m.type()}: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(`${label} page error: ${e.message}`));
    p.on('requestfailed', (r) => problems.push(`${label} request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  };
  let meetingCase: string;
  let postingCase: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the dashboard test needs a real browser. Install it with "apt-get install -y chromium" (.ci/run does this), or set CHROMIUM_PATH.`,
      );
    }
    mkdirSync(SHOTS, { recursive: true });
    engine = await startTestEngine({ http: true });
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    const c1 = await json(await call('GET', '/api/progress?unit=T1C1', token('commune_committee', 'T1C1')));
    const c2 = await json(await call('GET', '/api/progress?unit=T1C2', token('commune_committee', 'T1C2')));
    for (const c of [...c1.children, ...c2.children] as { caseId: string; code: string }[])
      villageOf.set(c.caseId, c.code);
    const [v1, v2] = c1.children.map((c: { caseId: string }) => c.caseId);
    const w1 = c2.children[0].caseId;
    meetingCase = v1;
    const list = { householdCount: 40, fromPreviousLists: 30, newlyArising: 6, requests: 4 };
    const survey = { householdsSurveyed: 40, poorCount: 5, nearPoorCount: 7 };
    const agreed = {
      date: '2026-09-01',
      chair: 'Trưởng thôn',
      attendees: 30,
      opinionsGiven: 20,
      householdsPut: 12,
      householdsAgreed: 12,
    };
    const days = (n: number) => engine.clock.advance(n * 86_400_000);
    const sweep = () => engine.get(CaseDeadlinesService).sweep(60); // also copies the day's stage counters
    // On 1 September a village of T1C2 reaches public posting: 3 working days, due 8 September.
    for (const [type, data] of [
      ['REVIEW_LIST_SUBMITTED', list],
      ['SURVEY_COMPLETED', survey],
      ['MEETING_HELD', agreed],
    ] as const)
      await send(w1, type, data);
    await sweep();
    // On 6 September village 2 of T1C1 has its list and survey done.
    days(5);
    await send(v2, 'REVIEW_LIST_SUBMITTED', list);
    await send(v2, 'SURVEY_COMPLETED', survey);
    await sweep();
    // On 11 September the T1C2 posting is overdue; village 2 of T1C1 starts its posting (due 16 September: within 7 days).
    days(5);
    await send(v2, 'MEETING_HELD', agreed);
    // Village 1 of T1C1 holds a meeting without enough opinions: it stays there and the commune committee is notified.
    await send(v1, 'REVIEW_LIST_SUBMITTED', list);
    await send(v1, 'SURVEY_COMPLETED', survey);
    await send(v1, 'MEETING_HELD', { ...agreed, date: '2026-09-11', opinionsGiven: 5 });
    // The T1C2 village in its posting period gets 55 complaints (more history than one page) and three meetings it cannot take.
    postingCase = w1;
    const board = token('village_board', villageOf.get(w1) as string);
    const complaints = Array.from({ length: 55 }, (_, n) => ({
      caseId: w1,
      type: 'COMPLAINT_FILED',
      data: { householdRef: `H${n}`, summary: `Khiếu nại ${n}` },
      idempotencyKey: `dashboard-complaint-${n}`,
    }));
    const meetings = Array.from({ length: 3 }, (_, n) => ({
      caseId: w1,
      type: 'MEETING_HELD',
      data: agreed,
      idempotencyKey: `dashboard-meeting-again-${n}`,
    }));
    expect(
      (await json(await call('POST', '/api/cases/events/batch', board, { events: [...complaints, ...meetings] })))
        .accepted,
    ).toBe(58);
    await eventually(
      async () => (await json(await call('GET', `/api/cases/${w1}`, board))).pendingEvents.length === 0,
      20_000,
      'the complaints to be applied',
    );

    browser = await chromium.launch({ executablePath: CHROMIUM });
    desktop = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    page = await desktop.newPage();
    phonePage = await phone.newPage();
    for (const p of [page, phonePage]) p.setDefaultTimeout(15_000);
    watch(page, 'desktop');
    watch(phonePage, 'phone');
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('signs in with a pasted token and shows who the user is', async () => {
    await page.goto(`${engine.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Đăng nhập' }).waitFor();
    await shot(page, '01-login-desktop');
    await page.getByLabel('Mã truy cập').fill(token('province_committee', 'T1', 'Ban Chỉ đạo tỉnh T1'));
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tỉnh Thử Một' }).waitFor();
    const who = page.getByRole('group', { name: 'Người dùng' });
    await expectText(who, 'Ban Chỉ đạo tỉnh T1');
    await expectText(who, 'Ban Chỉ đạo cấp tỉnh');
    await expectText(who, 'Tỉnh Thử Một (T1)');
    expect(await page.evaluate('sessionStorage.getItem("rasoat.token")')).toMatch(/^ey/);
  });

  it('shows the province: bars per step and stage, a row per district, on a laptop and a phone', async () => {
    await expectText(page.locator('.tile').first(), '6');
    await expectText(page.locator('.bars li[data-step="listing"] .bar-value'), '3 · 50%');
    await expectText(page.locator('.bars li[data-step="meeting"] .bar-value'), '1 · 16,7%');
    await expectText(page.locator('.bars li[data-step="posting"] .bar-value'), '2 · 33,3%');
    await expectText(page.locator('.bars li[data-stage="1"] .bar-value'), '3 · 50%');
    await expectText(page.locator('.bars li[data-stage="3"] .bar-value'), '2 · 33,3%');
    await expectText(page.locator('.unit-row[data-unit="T1D1"]'), '6 thôn');
    // Deadlines counted by the API as of its date (11 September): one overdue, one due within 7 days.
    await expectText(page.locator('.tile.overdue .tile-value'), '1');
    await expectText(page.locator('.tile.dueSoon .tile-value'), '1');
    await expectText(page.locator('.tile.overdue .tile-note'), '11/09/2026');
    // Progress over the season: the daily copies of 1 and 6 September.
    const season = page.getByRole('img', { name: /Số thôn đã xong từng giai đoạn theo ngày/ });
    expect(await season.isVisible()).toBe(true);
    expect(await page.locator('svg.season-svg g.series[data-stage="1"] circle').count()).toBe(2);
    await shot(page, '02-progress-province-desktop');

    // The phone opens the link `npm start` prints: #token=… signs it in and leaves the address bar.
    await phonePage.goto(`${engine.baseUrl}/#token=${token('province_committee', 'T1', 'Ban Chỉ đạo tỉnh T1')}`);
    await phonePage.getByRole('heading', { level: 1, name: 'Tỉnh Thử Một' }).waitFor();
    expect(phonePage.url()).not.toContain('token=');
    await phonePage.locator('.unit-row[data-unit="T1D1"]').waitFor();
    expect(await phonePage.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shot(phonePage, '03-progress-province-phone');
  });

  it('drills down province → district → commune → village case', async () => {
    await page.getByRole('link', { name: 'Huyện Thử' }).click();
    await page.getByRole('heading', { level: 1, name: 'Huyện Thử' }).waitFor();
    await expectText(page.locator('.unit-row[data-unit="T1C1"]'), '3 thôn');
    await expectText(page.locator('.unit-row[data-unit="T1C1"] .badge.dueSoon'), 'Sắp đến hạn: 1');
    await expectText(page.locator('.unit-row[data-unit="T1C2"] .badge.overdue'), 'Quá hạn: 1');
    await shot(page, '04-progress-district-desktop');

    await page.getByRole('link', { name: 'Xã T1C1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Xã T1C1' }).waitFor();
    const rows = page.locator('table.villages tbody tr');
    expect(await rows.count()).toBe(3);
    // Each village's nearest deadline is read from its case.
    await page.locator('table.villages tbody tr[data-deadline]').nth(2).waitFor();
    expect(await page.locator('table.villages tbody tr[data-village="T1C1V2"]').getAttribute('data-deadline')).toBe(
      'dueSoon',
    );
    await expectText(page.locator('table.villages tbody tr[data-village="T1C1V2"]'), '16/09/2026');
    expect(await page.locator('table.villages tbody tr[data-village="T1C1V1"]').getAttribute('data-deadline')).toBe(
      'ok',
    );
    await expectText(page.getByRole('navigation', { name: 'Vị trí' }), 'Huyện Thử');
    await shot(page, '05-progress-commune-desktop');

    await phonePage.getByRole('link', { name: 'Huyện Thử' }).click();
    await phonePage.getByRole('link', { name: 'Xã T1C1' }).click();
    await phonePage.getByRole('heading', { level: 1, name: 'Xã T1C1' }).waitFor();
    await phonePage.locator('table.villages tbody tr[data-deadline]').nth(2).waitFor();
    expect(await phonePage.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shot(phonePage, '06-progress-commune-phone');

    await page.getByRole('link', { name: 'Thôn 1' }).click();
    await page.getByRole('heading', { level: 1, name: /Thôn 1/ }).waitFor();
    expect(page.url()).toContain(`#/case/${meetingCase}`);
  });

  it('shows the case: step, allowed events, deadlines, history and the diagram with the current step', async () => {
    const step = page.locator('.step-label');
    await expectText(step, 'Bước 3: Họp dân thống nhất kết quả rà soát');
    expect(await step.isVisible()).toBe(true);
    const diagram = page.getByRole('img', { name: /Sơ đồ các bước của quy trình/ });
    expect(await diagram.isVisible()).toBe(true);
    const current = page.locator('svg.diagram-svg g.node.current');
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('data-step')).toBe('meeting');
    expect(await current.isVisible()).toBe(true);
    await expectText(page.locator('.events li[data-event="MEETING_HELD"]'), 'Họp dân thống nhất kết quả');
    await expectText(page.locator('table').filter({ hasText: 'Hạn' }).first(), '14/12/2026');
    // Newest first: the meeting without enough opinions, …, the list, the opening.
    const history = page.locator('.timeline li');
    expect(await history.count()).toBeGreaterThanOrEqual(4);
    await expectText(history.first(), 'Họp dân thống nhất kết quả');
    await expectText(history, 'Nộp danh sách hộ cần rà soát');
    await expectText(history.last(), 'Mở hồ sơ');
    expect(await page.getByRole('button', { name: 'Xem cũ hơn' }).isHidden()).toBe(true);
    await shot(page, '07-case-desktop');

    // English, then back: labels from the UI and from the definition both switch.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expectText(page.locator('.step-label'), "Step 3: Residents' meeting agrees the results");
    await page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
    await shot(page, '08-case-desktop-en');
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await expectText(page.locator('.step-label'), 'Bước 3: Họp dân');

    // The links in notifications and digests (/cases/<id>) open the same page.
    await phonePage.goto(`${engine.baseUrl}/cases/${meetingCase}`);
    await expectText(phonePage.locator('.step-label'), 'Bước 3: Họp dân thống nhất kết quả rà soát');
    expect(await phonePage.locator('svg.diagram-svg g.node.current[data-step="meeting"]').count()).toBe(1);
    await shot(phonePage, '09-case-phone');
  });

  it('pages back through a long history and counts the refused events', async () => {
    await page.goto(`${engine.baseUrl}/#/case/${postingCase}`);
    const history = page.locator('.timeline li');
    await expectText(history.first(), 'Tiếp nhận khiếu nại');
    await expectText(page.locator('.history-shown'), 'Đang hiện 50/');
    expect(await history.count()).toBe(50);
    await expectText(page.locator('details.refused summary'), '3 sự kiện bị từ chối');
    await page.getByRole('button', { name: 'Xem cũ hơn' }).click();
    await expectText(history.last(), 'Mở hồ sơ');
    const total = await history.count();
    expect(total).toBeGreaterThan(55);
    await expectText(page.locator('.history-shown'), `Đang hiện ${total}/${total} mục`);
    expect(await page.getByRole('button', { name: 'Xem cũ hơn' }).isHidden()).toBe(true);
    await page.locator('details.refused summary').click();
    await expectText(page.locator('details.refused li').first(), 'Từ chối Họp dân thống nhất kết quả');
    await shot(page, '09b-case-long-history-desktop');
  });

  it('opens the inbox and marks a notification read', async () => {
    await page.goto(`${engine.baseUrl}/#token=${token('commune_committee', 'T1C1', 'Ban Chỉ đạo xã T1C1')}`);
    await page.getByRole('heading', { level: 1, name: 'Xã T1C1' }).waitFor();
    const inboxLink = page
      .getByRole('navigation', { name: 'Điều hướng chính' })
      .getByRole('link', { name: /Thông báo/ });
    await expectText(inboxLink, '1');
    await inboxLink.click();
    await page.getByRole('heading', { level: 1, name: 'Thông báo' }).waitFor();
    const unread = page.locator('ol.inbox li.unread');
    expect(await unread.count()).toBe(1);
    await expectText(unread, 'Bước 3: Họp dân thống nhất kết quả rà soát');
    await shot(page, '10-inbox-desktop');
    await unread.getByRole('button', { name: 'Đánh dấu đã đọc' }).click();
    await page.locator('ol.inbox li.unread').waitFor({ state: 'detached' });
    await expectText(page.locator('.unread-count'), '0 thông báo chưa đọc');
    const inbox = await json(await call('GET', '/api/notifications', token('commune_committee', 'T1C1')));
    expect(inbox.unreadCount).toBe(0);
    await page.getByRole('link', { name: 'Mở hồ sơ' }).click();
    await expectText(page.locator('.step-label'), 'Bước 3');
  });

  it('lets a province admin read definitions and shows where a broken YAML is wrong', async () => {
    await page.goto(`${engine.baseUrl}/#token=${token('province_admin', 'T1')}`);
    await page.getByRole('heading', { level: 1, name: 'Tỉnh Thử Một' }).waitFor();
    await page.getByRole('link', { name: 'Quy trình' }).click();
    await page.getByRole('heading', { level: 1, name: 'Quy trình (định nghĩa)' }).waitFor();
    await page.getByRole('link', { name: 'periodic-review@1', exact: true }).click();
    await page.locator('tr.selected[data-key="periodic-review@1"]').waitFor();
    expect(await page.getByRole('img', { name: /Sơ đồ các bước của quy trình/ }).isVisible()).toBe(true);
    await page.getByText('Nội dung YAML').click();
    await expectText(page.locator('pre.yaml'), 'id: periodic-review');

    await page.getByLabel('Tên tệp (hiện trong thông báo lỗi)').fill('t1-overlay.yaml');
    await page.getByLabel('YAML', { exact: true }).fill(BROKEN_OVERLAY);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    const first = page.locator('.def-errors li').first();
    await expectText(first, 't1-overlay.yaml:10:9');
    await expectText(first, '$.patch.steps.listing.on.REVIEW_LIST_SUBMITTED');
    await expectText(first, 'unknown step "surveyy"');
    await first.getByRole('button', { name: 'Đến dòng 10' }).click();
    // The editor selects the reported place: line 10 from column 9.
    expect(
      await page.evaluate(
        '(() => { const el = document.getElementById("def-yaml"); return el.value.slice(el.selectionStart, el.selectionEnd); })()',
      ),
    ).toBe('REVIEW_LIST_SUBMITTED: surveyy');
    expect(await page.locator('.def-errors li').nth(1).getByRole('button').count()).toBe(0); // that one is in the base file
    await shot(page, '11-definitions-errors-desktop');

    // Fixed: valid, diffed against the version on screen, published after a confirmation.
    await page.getByLabel('YAML', { exact: true }).fill(GOOD_OVERLAY);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await expectText(page.locator('.result .alert.ok'), 'Hợp lệ: t1-dashboard-review@1');
    await page.getByRole('button', { name: 'So sánh' }).click();
    await expectText(page.locator('.diff-view h3'), 'periodic-review@1 → t1-dashboard-review@1');
    await expectText(page.locator('.diff-view'), 'postingWorkingDays');
    await page.getByRole('button', { name: 'Công bố…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Công bố' }).click();
    await page.locator('tr.selected[data-key="t1-dashboard-review@1"]').waitFor();
    await shot(page, '12-definitions-published-desktop');

    await phonePage.goto(`${engine.baseUrl}/#token=${token('province_admin', 'T1')}`);
    await phonePage.goto(`${engine.baseUrl}/#/definitions/periodic-review@1`);
    await phonePage.locator('tr.selected[data-key="periodic-review@1"]').waitFor();
    await shot(phonePage, '13-definitions-phone');
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(problems).toEqual([]);
  });
});

/** Waits until the locator's text contains `text` (the UI loads data after navigation). */
async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  } catch {
    throw new Error(
      `expected ${locator} to contain ${JSON.stringify(text)}, found ${JSON.stringify(
        await locator
          .first()
          .textContent()
          .catch(() => null),
      )}`,
    );
  }
}
