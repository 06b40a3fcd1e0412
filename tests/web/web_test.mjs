// tests/web/web_test.mjs URL - drives eseald's web page in Debian's headless
// Chromium with playwright-core: a full life cycle through the pages (apply,
// approve, make, register, activate, grant, seal a document), then the
// public verification of the sealed document and of a tampered copy, in
// Chinese and in English. Prints "N passed, M failed".
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
  await page.click('#sign-submit');
  await page.waitForSelector('#sign-b64');
  const sigB64 = await page.inputValue('#sign-b64');
  ok(sigB64.length > 100, 'signature returned');
  ok(await page.isVisible('#sign-download'), 'download link');
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
  await page.setInputFiles('#verify-data', { name: 'contract.txt', mimeType: 'text/plain', buffer: Buffer.from('tampered contract\n') });
  await page.click('#verify-go');
  await page.waitForSelector('#verify-verdict.TOTAL-FAILED');
  ok(await page.isVisible('li.FAILED[data-check="data_hash"]'), 'tampered: data_hash in red');
  await page.click('#lang');
  ok((await page.textContent('#nav')).includes('Verify'), 'English navigation');

  // the auditor checks the chain
  await login('auditor');
  await page.goto(url + '/#audit');
  await page.click('#audit-verify');
  await page.waitForSelector('#audit-check .PASSED');
  ok(true, 'audit chain intact');
  await logout();
} catch (e) {
  failed++;
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
}
ok(errors.length === 0, 'no script errors: ' + errors.join(' | '));
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
