// tests/web/web_test.mjs URL - drives eseald's web page in Debian's headless
// Chromium with playwright-core: a full life cycle through the pages (apply,
// approve, make, register, activate, grant, seal a document, and a PDF with
// a time stamp), then the public verification of the sealed document, of a
// tampered copy and of the sealed PDF (its revision and ByteRange facts, the
// registry judged at the time stamp's time), in Chinese and in English; the
// federation view hidden on this standalone node, and shown, with the
// server's strings as text, for a faked sub-centre answer.
// Prints "N passed, M failed". WEB_SHOTS=DIR: screenshots of the PDF report
// and the federation view there.
import { chromium } from 'playwright-core';

const url = process.argv[2];
let passed = 0;
let failed = 0;
function ok(cond, what) {
  if (cond) { passed++; } else { failed++; console.log('FAIL: ' + what); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
page.setDefaultTimeout(20000);
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => {
  // an API refusal the test provokes on purpose is not a script error
  if (m.type() === 'error' && !m.text().includes('status of 409')) errors.push(m.text());
});

async function login(user) {
  await page.goto(url + '/#login');
  await page.fill('#login-user', user);
  await page.fill('#login-pass', 'demo');
  await page.click('#login-submit');
  await page.waitForSelector('#logout:not([hidden])');
}
async function logout() {
  await page.click('#logout');
  await page.waitForSelector('#login-user, #verify-file');
}
// A one-page PDF with an exact cross-reference table (es_pdf_sign refuses
// damaged ones).
function makePdf() {
  const text = 'BT /F1 24 Tf 72 720 Td (Web test contract) Tj ET\n';
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  let pdf = '%PDF-1.7\n';
  const at = objs.map((o, i) => { const off = pdf.length; pdf += `${i + 1} 0 obj\n${o}\nendobj\n`; return off; });
  const xref = pdf.length;
  pdf += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + at.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

async function toastText(hasText) {
  const t = await page.locator('#toast div', { hasText }).first().textContent();
  await page.evaluate(() => document.querySelector('#toast').replaceChildren());
  return t;
}

try {
  // the public page, in Chinese by default, then English
  await page.goto(url + '/');
  ok((await page.textContent('#title')).includes('电子印章'), 'Chinese title');
  await page.click('#lang');
  ok((await page.textContent('#title')).includes('Electronic Seal'), 'English title');
  await page.click('#lang');

  // the organisation applies
  await login('orgadmin');
  await page.goto(url + '/#apps');
  await page.fill('#app-name', '示例科技有限公司网页专用章');
  await page.click('#app-submit');
  ok((await toastText('#')).includes('#'), 'application filed');
  const row = page.locator('#apps-table tr', { hasText: '网页专用章' }).first();
  await row.waitFor();
  const appId = await row.getAttribute('data-app-row');
  ok(appId, 'application listed');
  await logout();

  // the reviewer approves
  await login('reviewer');
  await page.goto(url + '/#apps');
  await page.fill(`input.reason[data-app="${appId}"]`, '材料齐全');
  await page.click(`button[data-act="approve"][data-app="${appId}"]`);
  await page.waitForSelector(`tr[data-app-row="${appId}"] [data-status="approved"]`);
  ok(true, 'approved');
  await logout();

  // the maker makes the seal
  await login('maker');
  await page.goto(url + '/#apps');
  await page.click(`button[data-act="make"][data-app="${appId}"]`);
  const made = await toastText('esID');
  const esid = (made.match(/esID ([0-9A-F]{32})/) || [])[1];
  ok(esid, 'seal made: ' + made);
  await logout();

  // the reviewer registers it
  await login('reviewer');
  await page.goto(url + '/#seals/' + esid);
  await page.click('button[data-action="register"]');
  await page.waitForSelector('#seal-status [data-status="registered"]');
  ok(true, 'registered');
  await logout();

  // the organisation activates it and grants it to its seal user
  await login('orgadmin');
  await page.goto(url + '/#seals/' + esid);
  await page.click('button[data-action="activate"]');
  await page.waitForSelector('#seal-status [data-status="active"]');
  ok(await page.isVisible('#seal-timeline [data-event="register"]'), 'history shows the registration');
  // suspend and resume through the page; the timeline follows
  await page.fill('#action-reason', '临时停用');
  await page.click('button[data-action="suspend"]');
  await page.waitForSelector('#seal-status [data-status="suspended"]');
  await page.click('button[data-action="resume"]');
  await page.waitForSelector('#seal-status [data-status="active"]');
  ok(await page.isVisible('#seal-timeline [data-event="suspend"]'), 'history shows the suspension');
  await page.click('button[data-action="resume"]');
  ok((await toastText('')).length > 0, 'a refused transition is explained');
  await page.fill('#grant-user', 'user');
  await page.click('#grant-submit');
  await page.waitForSelector('tr[data-grant]');
  ok(true, 'granted');
  await logout();

  // the seal user seals a document
  await login('user');
  await page.goto(url + '/#seals/' + esid);
  const doc = Buffer.from('网页测试合同 / web test contract\n');
  await page.setInputFiles('#sign-file', { name: 'contract.txt', mimeType: 'text/plain', buffer: doc });
  await page.check('#sign-embed');
  await page.click('#sign-submit');
  await page.waitForSelector('#sign-b64');
  ok(await page.isVisible('#sign-flags [data-flag="status_embedded"]'), 'the status answer embedded');
  const sigB64 = await page.inputValue('#sign-b64');
  ok(sigB64.length > 100, 'signature returned');
  ok(await page.isVisible('#sign-download'), 'download link');
  // a PDF, sealed in itself, with a token from the platform's TSA
  await page.selectOption('#sign-format', 'pdf');
  ok(await page.isDisabled('#sign-embed'), 'the status answer is offered for detached signatures only');
  await page.check('#sign-tsa');
  await page.setInputFiles('#sign-file', { name: 'contract.pdf', mimeType: 'application/pdf', buffer: makePdf() });
  await page.click('#sign-submit');
  await page.waitForSelector('#sign-flags [data-flag="time_stamped"]');
  const sealedPdf = Buffer.from(await page.inputValue('#sign-b64'), 'base64');
  ok(sealedPdf.subarray(0, 5).toString() === '%PDF-', 'a sealed PDF returned');
  ok((await page.getAttribute('#sign-download', 'download')) === 'contract.sealed.pdf', 'named .sealed.pdf');
  await page.goto(url + '/#usage');
  await page.waitForSelector('#usage-table tr[data-usage="ok"]');
  ok(true, 'usage log shows the use');
  await logout();

  // anyone verifies: the genuine document, then a tampered copy
  const sig = Buffer.from(sigB64, 'base64');
  await page.goto(url + '/#verify');
  await page.setInputFiles('#verify-file', { name: 'contract.txt.sig', mimeType: 'application/octet-stream', buffer: sig });
  await page.setInputFiles('#verify-data', { name: 'contract.txt', mimeType: 'text/plain', buffer: doc });
  await page.click('#verify-go');
  await page.waitForSelector('#verify-verdict');
  ok((await page.textContent('#verify-verdict')).includes('TOTAL-PASSED'), 'genuine: TOTAL-PASSED');
  ok(await page.isVisible('#verify-registry [data-status="active"]'), 'registry status shown');
  ok(await page.isVisible('li.PASSED[data-check="data_hash"]'), 'checks in green');
  ok(await page.isVisible('.sigcard img'), 'seal picture shown');
  ok(await page.isVisible('li.PASSED[data-check="status_answer"]'), 'the embedded status answer checked');
  ok((await page.textContent('#verify-registry [data-basis]')).includes('签章人声称'), 'no token: the claimed time, in Chinese');
  ok((await page.textContent('#verify-registry .why')).includes('不含时间戳'), 'and why, in Chinese');
  await page.setInputFiles('#verify-data', { name: 'contract.txt', mimeType: 'text/plain', buffer: Buffer.from('tampered contract\n') });
  await page.click('#verify-go');
  await page.waitForSelector('#verify-verdict.TOTAL-FAILED');
  ok(await page.isVisible('li.FAILED[data-check="data_hash"]'), 'tampered: data_hash in red');
  // the sealed PDF: its facts, and the registry judged at the token's time
  const verifyPdf = async () => {
    await page.setInputFiles('#verify-data', []);
    await page.setInputFiles('#verify-file', { name: 'contract.sealed.pdf', mimeType: 'application/pdf', buffer: sealedPdf });
    await page.click('#verify-go');
    await page.waitForSelector('#verify-verdict.TOTAL-PASSED, #verify-verdict.TOTAL-FAILED, #verify-verdict.INDETERMINATE, #verify-result p.FAILED');
  };
  const sent = [];
  const onReq = (r) => { if (r.url().endsWith('/api/v1/verify')) sent.push(r.headers()['content-type'] || ''); };
  page.on('request', onReq);
  await verifyPdf();
  page.off('request', onReq);
  ok(sent.length === 1 && sent[0].startsWith('application/octet-stream'),
    'a lone document is sent as itself, not as base64 in JSON (' + sent.join(',') + ')');
  ok((await page.textContent('#verify-result')).includes('TOTAL-PASSED'), 'sealed PDF: TOTAL-PASSED');
  ok(await page.isVisible('li.PASSED[data-check="byte_range"]') && await page.isVisible('li.PASSED[data-check="timestamp"]'),
    'sealed PDF: byte_range and timestamp in green');
  ok(/^2 \/ 2$/.test(await page.textContent('.pdf-facts [data-fact="revision"] td')), 'sealed PDF: revision 2 of 2');
  ok((await page.textContent('.pdf-facts [data-fact="byteRange"] td')).startsWith('[0 '), 'sealed PDF: the ByteRange');
  ok(await page.isVisible('#verify-registry [data-status="active"]') && await page.isVisible('.sigcard img'),
    'sealed PDF: registry status and seal picture');
  ok((await page.textContent('#verify-registry [data-basis="time_stamp"]')).includes('时间戳时间（已证明）'),
    'sealed PDF: judged at the time stamp, in Chinese');
  await page.click('#lang');
  ok((await page.textContent('#nav')).includes('Verify'), 'English navigation');
  await verifyPdf();
  ok((await page.textContent('#verify-registry [data-basis="time_stamp"]')).includes('time of the time stamp (proven)'),
    'sealed PDF: judged at the time stamp, in English');
  ok((await page.textContent('#verify-registry .why')).includes('genTime'), "and why, in the server's words");
  if (process.env.WEB_SHOTS) await page.screenshot({ path: process.env.WEB_SHOTS + '/verify-pdf.png', fullPage: true });

  // the auditor: no federation view on a standalone node
  await login('auditor');
  await page.waitForSelector('#nav[data-fed-role="standalone"]');
  ok(await page.locator('#nav-federation').count() === 0, 'standalone: no federation view');
  await page.goto(url + '/#federation');
  await page.waitForSelector('#audit-verify');
  ok(await page.locator('#federation').count() === 0, 'standalone: #federation falls back to the audit log');
  // the auditor checks the chain
  await page.goto(url + '/#audit');
  await page.click('#audit-verify');
  await page.waitForSelector('#audit-check .PASSED');
  ok(true, 'audit chain intact');
  await logout();

  // a sub-centre's answer (faked: this node is standalone), with hostile strings
  const evil = '<img src=x id=evil>';
  await page.route('**/api/v1/federation/peers', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({
    node: 'A' + evil, role: 'subcentre', national: 'N', log: { tree_size: 7, alarm: null },
    outbox: { total: 9, pending: 2, delivered: 7 }, alarms: 1,
    peers: [{ node: 'N', url: 'https://n.example/' + evil, national: true, events_received: 0, max_seq: 0, tree_size: 12,
      root_hash: 'ab'.repeat(32), checked_at: 1764000000, sth: null, alarm_at: 1764000001,
      alarm: { kind: 'two-heads-for-one-size', node: 'N', detail: 'two roots for size 12 ' + evil } }] }) }));
  await login('auditor');
  await page.click('#nav-federation');
  await page.waitForSelector('#fed-peers tr[data-peer="N"]');
  ok((await page.textContent('#fed-node')) === 'A' + evil, 'federation: the node id shown as text');
  ok((await page.textContent('#fed-outbox')).includes('2 pending'), 'federation: the outbox backlog');
  ok(await page.isVisible('#fed-peers [data-alarm="two-heads-for-one-size"]'), 'federation: the fork alarm');
  ok(await page.locator('#evil').count() === 0, 'federation: no markup from the server');
  if (process.env.WEB_SHOTS) await page.screenshot({ path: process.env.WEB_SHOTS + '/federation.png', fullPage: true });
  await page.unroute('**/api/v1/federation/peers');
  await logout();
} catch (e) {
  failed++;
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
}
ok(errors.length === 0, 'no script errors: ' + errors.join(' | '));
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
