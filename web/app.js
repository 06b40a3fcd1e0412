/* eseald web page: public verification and the management pages of every
 * role, over the REST API (/api/v1). Plain JavaScript, no dependencies, no
 * inline code (the page is served with a strict Content-Security-Policy).
 * Chinese and English. */
'use strict';

const I18N = {
  zh: {
    title: '电子印章管理与验证平台', verify: '印章验证', login: '登录', logout: '退出', apps: '用章申请',
    seals: '印章', grants: '授权用印', usage: '用印日志', audit: '审计日志', users: '用户与单位',
    username: '用户名', password: '密码', signin: '登录', lang: 'English',
    verifyTitle: '在线验证（无需登录）', verifyHelp: '上传签章文件（PDF、OFD、签名 .sig 或印章 .esl）；分离签名需同时上传原文。',
    file: '签章文件 / 印章', original: '原文（分离签名时）', doVerify: '验证', verdict: '结论',
    checks: '检查项', registry: '备案状态', statusNow: '当前状态', statusAtSigning: '签章时状态',
    notInRegistry: '本平台未备案此印章', newApp: '申请刻制印章', sealName: '印章名称', sealType: '印章类型',
    validDays: '有效期（天）', note: '说明', picture: '印模图片（可选）', submit: '提交', status: '状态',
    actions: '操作', approve: '批准', reject: '驳回', make: '制作', reason: '理由', org: '单位',
    history: '生命周期', grantTo: '授权给用户', notAfter: '截止（天后）', scope: '范围', grant: '授权',
    signDoc: '用印（上传文件）', sign: '盖章', signature: '签名结果', download: '下载签名', revoke: '撤销',
    result: '结果', time: '时间', document: '文件', checkChain: '校验哈希链', chainOk: '哈希链完整',
    chainBad: '哈希链被篡改，首个异常序号：', createUser: '创建用户', role: '角色', createOrg: '创建单位',
    orgName: '单位名称', orgCode: '统一社会信用代码', loggedAs: '当前用户', none: '无', open: '查看',
    cancelReason: '注销原因', lostAt: '遗失时间', newName: '新名称', refresh: '刷新', ok: '成功',
    failed: '失败', remake: '重新制作（替换）', format: '格式', detached: '分离签名', ofd: 'OFD 文档',
    page: '页', x: 'X (mm)', y: 'Y (mm)', purpose: '用途', pdf: 'PDF 文档',
    tsa: '加盖可信时间戳（本平台时间戳服务）', embedStatus: '嵌入本平台签名的印章状态证明（仅分离签名）',
    timeStamped: '已加盖时间戳', statusEmbedded: '已嵌入印章状态证明',
    timeUsed: '状态判定时间', timeBasis: '依据', basis_time_stamp: '时间戳时间（已证明）',
    basis_signer_claim: '签章人声称的签章时间（未经证明）', basis_verification_time: '验证时间（签章时间未知）',
    owner: '所属节点', answerStale: '所属节点的状态应答已过期', signatureOf: '签名',
    revision: '修订版本', byteRange: 'ByteRange', coverage: '覆盖范围', laterRevisions: '后续修订',
    stamp: '印章外观', sigDict: '签名字典', mdp: '修改权限', pdfFacts: 'PDF 修订与覆盖范围',
    federation: '联邦节点', node: '节点', fedRole: '角色', nationalNode: '国家节点', logSize: '本节点日志条目数',
    outbox: '待发送事件', outboxPending: '待发送', outboxDelivered: '已送达', peers: '对等节点',
    eventsReceived: '已接收事件', lastHead: '最近接受的树头', checkedAt: '检查时间', alarms: '分叉告警',
    noAlarm: '无告警', localAlarm: '本节点日志告警', detail: '详情',
    TOTAL_PASSED: '验证通过', TOTAL_FAILED: '验证失败', INDETERMINATE: '无法确定',
    role_standalone: '独立节点', role_subcentre: '分中心', role_national: '国家节点',
  },
  en: {
    title: 'Electronic Seal Platform', verify: 'Verify', login: 'Log in', logout: 'Log out', apps: 'Applications',
    seals: 'Seals', grants: 'Grants', usage: 'Usage log', audit: 'Audit log', users: 'Users & orgs',
    username: 'User name', password: 'Password', signin: 'Log in', lang: '中文',
    verifyTitle: 'Online verification (no login)', verifyHelp: 'Upload a sealed file (PDF, OFD, a .sig signature or a .esl seal); for a detached signature also upload the original.',
    file: 'Sealed file / seal', original: 'Original (detached signature)', doVerify: 'Verify', verdict: 'Verdict',
    checks: 'Checks', registry: 'Registry', statusNow: 'Status now', statusAtSigning: 'Status when sealed',
    notInRegistry: 'This seal is not registered on this platform', newApp: 'Apply for a seal', sealName: 'Seal name',
    sealType: 'Seal type', validDays: 'Validity (days)', note: 'Note', picture: 'Picture (optional)', submit: 'Submit',
    status: 'Status', actions: 'Actions', approve: 'Approve', reject: 'Reject', make: 'Make', reason: 'Reason',
    org: 'Organisation', history: 'Life cycle', grantTo: 'Grant to user', notAfter: 'Until (days from now)',
    scope: 'Scope', grant: 'Grant', signDoc: 'Seal a document', sign: 'Seal', signature: 'Signature',
    download: 'Download signature', revoke: 'Revoke', result: 'Result', time: 'Time', document: 'Document',
    checkChain: 'Check the hash chain', chainOk: 'The hash chain is intact', chainBad: 'The chain is broken at seq ',
    createUser: 'Create a user', role: 'Role', createOrg: 'Create an organisation', orgName: 'Name',
    orgCode: 'Credit code', loggedAs: 'Logged in as', none: 'none', open: 'Open', cancelReason: 'Cancellation reason',
    lostAt: 'Lost since', newName: 'New name', refresh: 'Refresh', ok: 'ok', failed: 'failed',
    remake: 'Re-make (replace)', format: 'Format', detached: 'Detached signature', ofd: 'OFD document',
    page: 'Page', x: 'X (mm)', y: 'Y (mm)', purpose: 'Purpose', pdf: 'PDF document',
    tsa: "Time-stamp it (the platform's time-stamp authority)", embedStatus: "Embed the platform's signed seal status (detached only)",
    timeStamped: 'time-stamped', statusEmbedded: 'seal status embedded',
    timeUsed: 'Status judged at', timeBasis: 'Basis', basis_time_stamp: 'time of the time stamp (proven)',
    basis_signer_claim: "signing time claimed by the signer (not proven)", basis_verification_time: 'verification time (signing time unknown)',
    owner: 'Owner node', answerStale: "The owner node's status answer is out of date", signatureOf: 'Signature',
    revision: 'Revision', byteRange: 'ByteRange', coverage: 'Coverage', laterRevisions: 'Later revisions',
    stamp: 'Stamp', sigDict: 'Signature dictionary', mdp: 'Modification permissions', pdfFacts: 'PDF revision and coverage',
    federation: 'Federation', node: 'Node', fedRole: 'Role', nationalNode: 'National node', logSize: "This node's log entries",
    outbox: 'Outbox', outboxPending: 'pending', outboxDelivered: 'delivered', peers: 'Peers',
    eventsReceived: 'Events received', lastHead: 'Last accepted tree head', checkedAt: 'Checked', alarms: 'Fork alarms',
    noAlarm: 'no alarm', localAlarm: "Alarm on this node's own log", detail: 'Detail',
    TOTAL_PASSED: 'passed', TOTAL_FAILED: 'failed', INDETERMINATE: 'indeterminate',
    role_standalone: 'standalone', role_subcentre: 'sub-centre', role_national: 'national node',
  },
};
const STATUS = {
  zh: { applied: '已申请', approved: '已批准', rejected: '已驳回', made: '已制作', registered: '已备案', active: '启用',
        suspended: '暂停', frozen: '冻结', lost: '挂失', cancelled: '已注销', expired: '已过期' },
  en: {},
};
const ACTIONS = {
  zh: { register: '备案', activate: '启用', suspend: '暂停', resume: '恢复', freeze: '冻结', unfreeze: '解冻',
        'report-loss': '挂失', cancel: '注销', change: '变更' },
  en: { register: 'Register', activate: 'Activate', suspend: 'Suspend', resume: 'Resume', freeze: 'Freeze',
        unfreeze: 'Unfreeze', 'report-loss': 'Report loss', cancel: 'Cancel', change: 'Change' },
};
/* check ids of docs/report-schema.md and docs/pdf.md; an unknown id shows as itself */
const CHECKS = {
  zh: { structure: '结构', seal_signature: '印章制作者签名', seal_maker_chain: '制章者证书链', seal_validity: '印章有效期',
        signer_binding: '签章人与印章绑定', signer_chain: '签章人证书链', data_hash: '原文杂凑', signature: '签名值',
        timestamp: '时间戳', timeinfo_token: '签章时间中的时间戳', seal_timestamp: '印章时间戳', status_answer: '嵌入的印章状态证明',
        trust_list: '信任列表', pdf_structure: 'PDF 签名字典', byte_range: 'ByteRange 覆盖范围', revisions: '后续修订',
        stamp: '印章外观', mdp: '修改权限', ofd_structure: 'OFD 结构', references: 'OFD 签名引用' },
  en: { structure: 'structure', seal_signature: "seal maker's signature", seal_maker_chain: "seal maker's chain",
        seal_validity: 'seal validity', signer_binding: 'signer listed in the seal', signer_chain: "signer's chain",
        data_hash: 'data hash', signature: 'signature value', timestamp: 'time stamp', timeinfo_token: 'time stamp in timeInfo',
        seal_timestamp: "seal's time stamp", status_answer: 'embedded seal status', trust_list: 'trust list',
        pdf_structure: 'PDF signature dictionary', byte_range: 'ByteRange coverage', revisions: 'later revisions',
        stamp: 'stamp', mdp: 'modification permissions', ofd_structure: 'OFD structure', references: 'OFD references' },
};
const RESULTS = {
  zh: { PASSED: '通过', FAILED: '未通过', INDETERMINATE: '无法确定', WARNING: '警告' },
  en: { PASSED: 'passed', FAILED: 'failed', INDETERMINATE: 'indeterminate', WARNING: 'warning' },
};
const ROLE_ACTIONS = {
  reviewer: ['register', 'freeze', 'unfreeze', 'cancel'],
  org_admin: ['activate', 'suspend', 'resume', 'report-loss', 'cancel', 'change'],
};
const CANCEL_REASONS = ['rename', 'dissolution', 'revocation', 'bankruptcy', 'split', 'merger', 'key-compromise',
                        'damaged', 'no-longer-used'];

let lang = localStorage.getItem('eseal.lang') || 'zh';
let session = JSON.parse(sessionStorage.getItem('eseal.session') || 'null');
const t = (k) => I18N[lang][k] || I18N.en[k] || k;
const st = (s) => (STATUS[lang][s] || s);

/* ---- DOM helpers ---- */
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const $ = (sel) => document.querySelector(sel);
function toast(msg, err) {
  const d = h('div', { class: err ? 'err' : '' }, msg);
  $('#toast').append(d);
  setTimeout(() => d.remove(), 6000);
}
const badge = (s) => h('span', { class: 'badge st-' + s, 'data-status': s }, st(s));
const when = (sec) => (sec ? new Date(sec * 1000).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '');

/* ---- API ---- */
/* body: a value sent as JSON, or a File sent as itself (octet-stream, its
   name percent-encoded in X-File-Name) */
async function api(method, path, body) {
  const headers = {};
  if (session) headers.Authorization = 'Bearer ' + session.token;
  let payload;
  if (body instanceof File) {
    headers['Content-Type'] = 'application/octet-stream';
    headers['X-File-Name'] = encodeURIComponent(body.name);
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch('/api/v1' + path, { method, headers, body: payload });
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  if (!r.ok) {
    const msg = j && j.error ? j.error.message : ('HTTP ' + r.status);
    if (r.status === 401 && session && path !== '/login') { setSession(null); }
    throw Object.assign(new Error(msg), { status: r.status });
  }
  return j;
}
function fileB64(file) {
  return new Promise((res, rej) => {
    const fr = new FileReader();
    fr.onload = () => res(String(fr.result).replace(/^data:[^,]*,/, ''));
    fr.onerror = () => rej(fr.error);
    fr.readAsDataURL(file);
  });
}
function b64Blob(b64, type) {
  const bin = atob(b64);
  const u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return new Blob([u], { type: type || 'application/octet-stream' });
}
function setSession(s) {
  session = s;
  fed = undefined;
  if (s) sessionStorage.setItem('eseal.session', JSON.stringify(s));
  else sessionStorage.removeItem('eseal.session');
  render();
}
const role = () => (session ? session.role : 'public');

/* ---- pages ---- */
const PAGES = {
  verify: { roles: ['public', 'admin', 'reviewer', 'maker', 'org_admin', 'user', 'auditor'], render: pageVerify },
  login: { roles: ['public'], render: pageLogin },
  apps: { roles: ['org_admin', 'reviewer', 'maker', 'auditor'], render: pageApps },
  seals: { roles: ['org_admin', 'reviewer', 'maker', 'auditor', 'user'], render: pageSeals },
  grants: { roles: ['user', 'org_admin'], render: pageGrants },
  usage: { roles: ['org_admin', 'auditor', 'user'], render: pageUsage },
  audit: { roles: ['auditor'], render: pageAudit },
  users: { roles: ['admin', 'org_admin'], render: pageUsers },
  federation: { roles: ['admin', 'auditor'], render: pageFederation, shown: () => fedRole() !== 'standalone' },
};
const shown = (p) => PAGES[p].roles.includes(role()) && (!PAGES[p].shown || PAGES[p].shown());

/* This node's federation role (GET /federation/peers), asked once for the
 * roles that may see the federation view; until it is known the view is
 * hidden, as on a standalone node. */
let fed; /* undefined: not asked; null: being asked or unavailable; else the answer */
const fedRole = () => (fed && fed.role) || 'standalone';
function fedLoad() {
  if (fed !== undefined || !PAGES.federation.roles.includes(role())) return;
  fed = null;
  api('GET', '/federation/peers').then((r) => {
    fed = r;
    $('#nav').dataset.fedRole = r.role;
    if (fedRole() !== 'standalone') render(); /* a standalone node's page does not change */
  }).catch(() => { /* stays hidden */ });
}

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title') + ' · eseal';
  $('#title').textContent = t('title');
  $('#lang').textContent = t('lang');
  $('#logout').textContent = t('logout');
  $('#logout').hidden = !session;
  $('#who').textContent = session ? `${t('loggedAs')}: ${session.username} (${session.role})` : '';
  fedLoad();
  let page = (location.hash || '#').slice(1).split('/')[0];
  if (!PAGES[page] || !shown(page)) page = session ? defaultPage() : 'verify';
  const nav = $('#nav');
  if (fed) nav.dataset.fedRole = fed.role; else delete nav.dataset.fedRole;
  nav.replaceChildren(...Object.keys(PAGES).filter(shown)
    .map((p) => h('a', { href: '#' + p, id: 'nav-' + p, class: p === page ? 'active' : '' }, t(p))));
  const main = $('#main');
  main.replaceChildren();
  PAGES[page].render(main, (location.hash || '').split('/').slice(1));
}
const defaultPage = () => ({ admin: 'users', auditor: 'audit', user: 'seals' }[role()] || 'seals');

function pageLogin(main) {
  const u = h('input', { id: 'login-user', autocomplete: 'username' });
  const p = h('input', { id: 'login-pass', type: 'password', autocomplete: 'current-password' });
  const form = h('form', { id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/login', { username: u.value, password: p.value });
      setSession(r);
      location.hash = '#' + defaultPage();
    } catch (err) { toast(err.message, true); }
  } }, h('label', {}, t('username')), u, h('label', {}, t('password')), p, h('p', {},
    h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, t('signin'))));
  main.append(h('section', { class: 'card' }, h('h2', {}, t('login')), form));
}

/* verification: public */
function pageVerify(main) {
  const f1 = h('input', { type: 'file', id: 'verify-file' });
  const f2 = h('input', { type: 'file', id: 'verify-data' });
  const out = h('div', { id: 'verify-result' });
  const go = async () => {
    if (!f1.files[0]) return;
    out.replaceChildren(h('p', { class: 'muted' }, '…'));
    try {
      if (f2.files[0]) {
        const body = { file: await fileB64(f1.files[0]), name: f1.files[0].name,
          data: await fileB64(f2.files[0]) };
        showReport(out, await api('POST', '/verify', body));
      } else {
        /* the file itself, not base64 in JSON: decoding a large JSON string
           costs the server more than verifying the document */
        showReport(out, await api('POST', '/verify', f1.files[0]));
      }
    } catch (err) { out.replaceChildren(h('p', { class: 'FAILED' }, err.message)); }
  };
  const drop = h('div', { class: 'drop' }, h('label', {}, t('file')), f1, h('label', {}, t('original')), f2,
    h('p', {}, h('button', { class: 'primary', id: 'verify-go', onclick: go }, t('doVerify'))));
  for (const ev of ['dragover', 'drop']) {
    drop.addEventListener(ev, (e) => {
      e.preventDefault();
      if (ev === 'drop' && e.dataTransfer.files.length) { f1.files = e.dataTransfer.files; go(); }
    });
  }
  main.append(h('section', { class: 'card' }, h('h2', {}, t('verifyTitle')), h('p', { class: 'muted' }, t('verifyHelp')),
    drop), h('section', { class: 'card' }, out));
}

const verdictText = (v) => `${t((v || '').replace('-', '_'))} (${v})`;
const checkOf = (s, id) => (s.checks || []).find((c) => c.id === id);

/* The facts a PDF signature's document checks carry (docs/pdf.md): which
 * revision it signs, what its /ByteRange covers, what came after it. */
function pdfFacts(s) {
  const br = checkOf(s, 'byte_range');
  if (!br) return null;
  const m = /^(\[[^\]]*\]): revision (\d+) of (\d+), (.*)$/.exec(br.detail || '');
  const row = (label, c, text) => (c || text) ? h('tr', { 'data-fact': label },
    h('th', {}, t(label)), h('td', { class: c ? c.result : '' }, text || c.detail || '', c && c.reason ? ` (${c.reason})` : '')) : null;
  return h('table', { class: 'facts pdf-facts' }, h('caption', {}, t('pdfFacts')),
    m ? row('revision', null, `${m[2]} / ${m[3]}`) : null,
    row('byteRange', br, m ? m[1] : null),
    m ? row('coverage', null, m[4]) : null,
    row('laterRevisions', checkOf(s, 'revisions')),
    row('sigDict', checkOf(s, 'pdf_structure')),
    row('stamp', checkOf(s, 'stamp')),
    row('mdp', checkOf(s, 'mdp')));
}

/* The registry's word: the status then and now, and at which time and why
 * (time_basis, server/handlers/verify.c). */
function basisWhy(reg, s) {
  if (lang === 'en' && reg.time_note) return reg.time_note; /* the server's words name the TSA or the reason */
  const ts = checkOf(s, 'timestamp');
  const why = {
    time_stamp: '签章含有通过验证的时间戳，其时间已被证明，故按该时间判定备案状态。',
    signer_claim: ts ? `时间戳未通过验证（${ts.reason || ts.result}），只能采用签章人自己声称的签章时间（timeInfo）。`
      : '签章不含时间戳，只能采用签章人自己声称的签章时间（timeInfo）。',
    verification_time: '签章时间未知，按当前时间判定备案状态。',
  };
  return why[reg.time_basis] || reg.time_note || '';
}
function registryBox(reg, seal, s) {
  if (!reg.known) return h('div', { class: 'registry muted' }, t('notInRegistry'));
  return h('div', { class: 'registry', id: 'verify-registry' }, h('h3', {}, t('registry')),
    h('div', {}, `${seal.name || reg.name || ''} · ${reg.org || ''} · ${reg.reg_no || ''}`),
    reg.owner ? h('div', {}, `${t('owner')}: `, h('span', { class: 'mono' }, reg.owner)) : null,
    reg.answer_fresh === false ? h('div', { class: 'FAILED' }, t('answerStale')) : null,
    h('div', {}, `${t('statusNow')}: `, badge(reg.status_now)),
    reg.status_at_signing ? h('div', {}, `${t('statusAtSigning')}: `, badge(reg.status_at_signing)) : null,
    reg.time_basis ? h('div', { class: 'basis', 'data-basis': reg.time_basis },
      `${t('timeUsed')}: ${reg.time_used || ''} · ${t('timeBasis')}: `,
      h('strong', { class: reg.time_basis === 'time_stamp' ? 'PASSED' : 'INDETERMINATE' }, t('basis_' + reg.time_basis)),
      h('div', { class: 'muted why' }, basisWhy(reg, s))) : null,
    reg.lost_since ? h('div', {}, `${t('lostAt')}: ${reg.lost_since}`) : null,
    h('div', { class: reg.ok ? 'PASSED' : 'FAILED' }, reg.note));
}

function showReport(out, r) {
  const rep = r.report || {};
  const kids = [h('div', { class: 'verdict ' + r.verdict, id: 'verify-verdict' }, `${t('verdict')}: ${verdictText(r.verdict)}`)];
  (rep.signatures || []).forEach((s, i) => {
    const reg = s.registry || {};
    const seal = s.seal || {};
    const pic = reg.known ? h('img', { src: `/api/v1/seals/${encodeURIComponent(reg.esid)}/picture`, alt: seal.name || '' }) : null;
    const checks = h('ul', { class: 'checks' }, (s.checks || []).map((c) =>
      h('li', { class: c.result, 'data-check': c.id, title: `${c.id} · ${c.clause || ''}` },
        `${CHECKS[lang][c.id] || c.id}: ${RESULTS[lang][c.result] || c.result}${c.reason ? ' — ' + c.reason : ''}`,
        c.detail ? h('div', { class: 'muted detail' }, c.detail) : null)));
    kids.push(h('div', { class: 'sigcard', 'data-sig': s.id || i }, pic, h('div', {},
      h('div', { class: s.verdict }, `${t('signatureOf')} ${i + 1}${s.id ? ' · ' + s.id : ''} · `,
        h('strong', {}, verdictText(s.verdict)), ` · ${s.signer || ''}`),
      h('div', { class: 'muted' }, `${seal.name || ''} · esID ${seal.esid || ''} · ${s.signing_time || ''}`,
        s.time_source ? ` · ${s.time_source}` : ''),
      pdfFacts(s), registryBox(reg, seal, s), h('h3', {}, t('checks')), checks)));
  });
  out.replaceChildren(...kids);
}

/* applications */
async function pageApps(main) {
  const r = role();
  if (r === 'org_admin') {
    const name = h('input', { id: 'app-name' });
    const type = h('input', { id: 'app-type', type: 'number', value: '1', min: '1', max: '99' });
    const days = h('input', { id: 'app-days', type: 'number', value: '730', min: '1', max: '3650' });
    const note = h('input', { id: 'app-note' });
    const pic = h('input', { id: 'app-picture', type: 'file', accept: 'image/*' });
    const form = h('form', { id: 'app-form', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const body = { seal_name: name.value, seal_type: +type.value, valid_days: +days.value, note: note.value };
        if (pic.files[0]) body.picture = await fileB64(pic.files[0]);
        const a = await api('POST', '/applications', body);
        toast(`#${a.id} ${st(a.status)}`);
        render();
      } catch (err) { toast(err.message, true); }
    } }, h('div', { class: 'row' }, h('div', {}, h('label', {}, t('sealName')), name),
      h('div', {}, h('label', {}, t('sealType')), type), h('div', {}, h('label', {}, t('validDays')), days)),
    h('label', {}, t('note')), note, h('label', {}, t('picture')), pic,
    h('p', {}, h('button', { class: 'primary', type: 'submit', id: 'app-submit' }, t('submit'))));
    main.append(h('section', { class: 'card' }, h('h2', {}, t('newApp')), form));
  }
  const list = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('apps')), h('table', { id: 'apps-table' },
    h('thead', {}, h('tr', {}, ['#', t('sealName'), t('org'), t('status'), 'esID', t('actions')].map((x) => h('th', {}, x)))), list)));
  try {
    const { applications } = await api('GET', '/applications');
    for (const a of applications) {
      const acts = [];
      const reason = h('input', { class: 'reason', placeholder: t('reason'), 'data-app': a.id });
      if (r === 'reviewer' && a.status === 'applied') {
        acts.push(reason,
          h('button', { class: 'small primary', 'data-act': 'approve', 'data-app': a.id, onclick: () => decide(a.id, 'approve', reason.value) }, t('approve')),
          h('button', { class: 'small', 'data-act': 'reject', 'data-app': a.id, onclick: () => decide(a.id, 'reject', reason.value) }, t('reject')));
      }
      if (r === 'maker' && a.status === 'approved') {
        acts.push(h('button', { class: 'small primary', 'data-act': 'make', 'data-app': a.id, onclick: () => decide(a.id, 'make') }, t('make')));
      }
      list.append(h('tr', { 'data-app-row': a.id }, h('td', {}, a.id), h('td', {}, a.seal_name, a.kind !== 'new' ? ` (${a.kind})` : ''),
        h('td', {}, a.org_id), h('td', {}, badge(a.status), a.decision_reason ? h('div', { class: 'muted' }, a.decision_reason) : null),
        h('td', { class: 'mono' }, a.esid ? h('a', { href: '#seals/' + a.esid }, a.esid) : ''), h('td', {}, acts)));
    }
  } catch (err) { toast(err.message, true); }
}
async function decide(id, act, reason) {
  try {
    const r = await api('POST', `/applications/${id}/${act}`, act === 'make' ? {} : { reason: reason || '' });
    toast(act === 'make' ? `esID ${r.esid}` : `#${id} ${st(r.status)}`);
    render();
  } catch (err) { toast(err.message, true); }
}

/* seals */
async function pageSeals(main, args) {
  if (args[0]) return sealDetail(main, decodeURIComponent(args[0]));
  const list = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('seals')), h('table', { id: 'seals-table' },
    h('thead', {}, h('tr', {}, ['esID', t('sealName'), t('status'), t('org'), 'reg', ''].map((x) => h('th', {}, x)))), list)));
  try {
    const { seals } = await api('GET', '/seals');
    for (const s of seals) {
      list.append(h('tr', { 'data-seal': s.esid }, h('td', { class: 'mono' }, s.esid), h('td', {}, s.name),
        h('td', {}, badge(s.status)), h('td', {}, s.org_id), h('td', { class: 'mono' }, s.reg_no),
        h('td', {}, h('a', { href: '#seals/' + s.esid, class: 'open-seal' }, t('open')))));
    }
  } catch (err) { toast(err.message, true); }
}

async function sealDetail(main, esid) {
  let s;
  try { s = await api('GET', '/seals/' + encodeURIComponent(esid)); } catch (err) { toast(err.message, true); return; }
  const r = role();
  const card = h('section', { class: 'card', id: 'seal-detail', 'data-esid': s.esid },
    h('div', { class: 'sigcard' }, h('img', { src: `/api/v1/seals/${s.esid}/picture`, alt: s.name }), h('div', {},
      h('h2', {}, s.name), h('div', { class: 'mono' }, 'esID ' + s.esid),
      h('div', {}, `${t('status')}: `, h('span', { id: 'seal-status' }, badge(s.status))),
      h('div', { class: 'muted' }, `${when(s.valid_start)} – ${when(s.valid_end)}`),
      s.reg_no ? h('div', {}, 'REG ', h('span', { class: 'mono' }, s.reg_no)) : null,
      s.replaces ? h('div', {}, '← ', h('a', { href: '#seals/' + s.replaces }, s.replaces)) : null,
      s.replaced_by ? h('div', {}, '→ ', h('a', { href: '#seals/' + s.replaced_by }, s.replaced_by)) : null)));
  main.append(card);
  /* life-cycle actions of this role */
  const acts = ROLE_ACTIONS[r] || [];
  if (acts.length) {
    const reason = h('input', { id: 'action-reason', placeholder: t('reason') });
    const cancelSel = h('select', { id: 'cancel-reason' }, CANCEL_REASONS.map((x) => h('option', { value: x }, x)));
    const newName = h('input', { id: 'change-name', placeholder: t('newName') });
    const run = async (a) => {
      const body = { reason: a === 'cancel' ? cancelSel.value : reason.value };
      if (a === 'change') body.seal_name = newName.value;
      try {
        const out = await api('POST', `/seals/${s.esid}/${a}`, body);
        toast(a === 'change' ? `#${out.application}` : `${ACTIONS[lang][a] || a}: ${st(out.status)}`);
        render();
      } catch (err) { toast(err.message, true); }
    };
    card.append(h('h3', {}, t('actions')), h('div', { class: 'row' }, h('div', {}, reason),
      h('div', {}, h('label', {}, t('cancelReason')), cancelSel), r === 'org_admin' ? h('div', {}, newName) : null),
    h('p', {}, acts.map((a) => h('button', { class: 'small', 'data-action': a, onclick: () => run(a) }, ACTIONS[lang][a]))));
  }
  /* history timeline */
  try {
    const { events } = await api('GET', `/seals/${s.esid}/events`);
    card.append(h('h3', {}, t('history')), h('div', { class: 'timeline', id: 'seal-timeline' }, events.map((e) =>
      h('div', { 'data-event': e.action }, h('strong', {}, ACTIONS[lang][e.action] || e.action), ' ',
        e.from ? badge(e.from) : '', ' → ', badge(e.to), ` · ${e.actor} · ${when(e.at)}`, e.reason ? ` · ${e.reason}` : ''))));
  } catch (err) { toast(err.message, true); }
  if (r === 'org_admin') grantBox(main, s);
  if (r === 'user') signBox(main, s);
}

function grantBox(main, s) {
  const user = h('input', { id: 'grant-user', placeholder: 'user' });
  const days = h('input', { id: 'grant-days', type: 'number', value: '30' });
  const scope = h('input', { id: 'grant-scope', value: '*' });
  const list = h('tbody', {});
  const load = async () => {
    try {
      const { grants } = await api('GET', `/seals/${s.esid}/grants`);
      list.replaceChildren(...grants.map((g) => h('tr', { 'data-grant': g.id }, h('td', {}, g.username || g.user_id),
        h('td', {}, `${when(g.not_before)} – ${when(g.not_after)}`), h('td', {}, g.scope),
        h('td', {}, g.in_force ? badge('active') : badge(g.revoked_at ? 'cancelled' : 'expired')),
        h('td', {}, !g.revoked_at ? h('button', { class: 'small', onclick: async () => {
          try { await api('POST', `/grants/${g.id}/revoke`, {}); load(); } catch (err) { toast(err.message, true); }
        } }, t('revoke')) : null))));
    } catch (err) { toast(err.message, true); }
  };
  const form = h('form', { id: 'grant-form', onsubmit: async (e) => {
    e.preventDefault();
    const now = Math.floor(Date.now() / 1000);
    try {
      await api('POST', `/seals/${s.esid}/grants`, { user: user.value, not_before: now - 60, not_after: now + (+days.value) * 86400, scope: scope.value });
      toast(t('grant') + ': ' + user.value);
      load();
    } catch (err) { toast(err.message, true); }
  } }, h('div', { class: 'row' }, h('div', {}, h('label', {}, t('username')), user),
    h('div', {}, h('label', {}, t('notAfter')), days), h('div', {}, h('label', {}, t('scope')), scope),
    h('div', {}, h('button', { class: 'primary', type: 'submit', id: 'grant-submit' }, t('grant')))));
  main.append(h('section', { class: 'card' }, h('h2', {}, t('grants')), form, h('table', {}, list)));
  load();
}

function signBox(main, s) {
  const file = h('input', { type: 'file', id: 'sign-file' });
  const fmt = h('select', { id: 'sign-format' }, h('option', { value: 'detached' }, t('detached')),
    h('option', { value: 'ofd' }, t('ofd')), h('option', { value: 'pdf' }, t('pdf')));
  const page = h('input', { id: 'sign-page', type: 'number', value: '1' });
  const x = h('input', { id: 'sign-x', type: 'number', value: '100' });
  const y = h('input', { id: 'sign-y', type: 'number', value: '200' });
  const tsa = h('input', { id: 'sign-tsa', type: 'checkbox' });
  const embed = h('input', { id: 'sign-embed', type: 'checkbox' });
  /* the status answer goes into a detached signature's TBS_Sign only (api.md) */
  fmt.addEventListener('change', () => {
    embed.disabled = fmt.value !== 'detached';
    if (embed.disabled) embed.checked = false;
  });
  const out = h('div', { id: 'sign-result' });
  const form = h('form', { id: 'sign-form', onsubmit: async (e) => {
    e.preventDefault();
    if (!file.files[0]) return;
    try {
      const f = file.files[0];
      const body = { name: f.name.replace(/[^\x20-\x7e]/g, '_'), data: await fileB64(f), format: fmt.value };
      if (fmt.value !== 'detached') body.positions = [{ page: +page.value, x: +x.value, y: +y.value }];
      if (tsa.checked) body.tsa = true;
      if (embed.checked) body.embed_status = true;
      const r = await api('POST', `/seals/${s.esid}/sign`, body);
      const b64 = r.signature || r.document;
      const ext = { detached: '', ofd: '.ofd', pdf: '.pdf' }[fmt.value];
      const name = r.signature ? f.name + '.sig' : f.name.replace(/\.(ofd|pdf)$/i, '') + '.sealed' + ext;
      const url = URL.createObjectURL(b64Blob(b64, fmt.value === 'pdf' ? 'application/pdf' : undefined));
      out.replaceChildren(h('p', {}, h('a', { href: url, download: name, id: 'sign-download' }, `${t('download')}: ${name}`)),
        h('p', { id: 'sign-flags' }, r.time_stamped ? h('span', { class: 'badge PASSED', 'data-flag': 'time_stamped' }, t('timeStamped')) : null,
          ' ', r.status_embedded ? h('span', { class: 'badge PASSED', 'data-flag': 'status_embedded' }, t('statusEmbedded')) : null),
        h('textarea', { id: 'sign-b64', readonly: true }, b64));
      toast(t('ok'));
    } catch (err) { out.replaceChildren(h('p', { class: 'FAILED', id: 'sign-error' }, err.message)); }
  } }, h('label', {}, t('document')), file, h('div', { class: 'row' }, h('div', {}, h('label', {}, t('format')), fmt),
    h('div', {}, h('label', {}, t('page')), page), h('div', {}, h('label', {}, t('x')), x), h('div', {}, h('label', {}, t('y')), y)),
  h('label', { class: 'check' }, tsa, ' ', t('tsa')), h('label', { class: 'check' }, embed, ' ', t('embedStatus')),
  h('p', {}, h('button', { class: 'primary', type: 'submit', id: 'sign-submit' }, t('sign'))));
  main.append(h('section', { class: 'card' }, h('h2', {}, t('signDoc')), form, out));
}

/* grants (a user's own) */
async function pageGrants(main) {
  const list = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('grants')), h('table', { id: 'grants-table' },
    h('thead', {}, h('tr', {}, ['esID', t('username'), t('time'), t('scope'), t('status')].map((x) => h('th', {}, x)))), list)));
  try {
    const { grants } = await api('GET', '/grants');
    for (const g of grants) {
      list.append(h('tr', {}, h('td', { class: 'mono' }, h('a', { href: '#seals/' + g.esid }, g.esid)), h('td', {}, g.username || g.user_id),
        h('td', {}, `${when(g.not_before)} – ${when(g.not_after)}`), h('td', {}, g.scope),
        h('td', {}, g.in_force ? badge('active') : badge(g.revoked_at ? 'cancelled' : 'expired'))));
    }
  } catch (err) { toast(err.message, true); }
}

async function pageUsage(main) {
  const list = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('usage')), h('table', { id: 'usage-table' },
    h('thead', {}, h('tr', {}, [t('time'), t('username'), 'esID', t('document'), 'SM3', t('result')].map((x) => h('th', {}, x)))), list)));
  try {
    const { usage } = await api('GET', '/usage');
    for (const u of usage) {
      list.append(h('tr', { 'data-usage': u.result }, h('td', {}, when(u.at)), h('td', {}, u.username), h('td', { class: 'mono' }, u.esid),
        h('td', {}, u.document_name), h('td', { class: 'mono' }, u.document_sm3.slice(0, 16) + '…'),
        h('td', { class: u.result === 'ok' ? 'PASSED' : 'FAILED' }, u.result, u.detail ? ` · ${u.detail}` : '')));
    }
  } catch (err) { toast(err.message, true); }
}

async function pageAudit(main) {
  const res = h('span', { id: 'audit-check' });
  const list = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('audit')), h('p', {},
    h('button', { id: 'audit-verify', onclick: async () => {
      try {
        const r = await api('GET', '/audit/verify');
        res.replaceChildren(r.intact ? h('span', { class: 'PASSED' }, `${t('chainOk')} (${r.entries})`)
          : h('span', { class: 'FAILED' }, t('chainBad') + r.first_bad_seq));
      } catch (err) { toast(err.message, true); }
    } }, t('checkChain')), ' ', res), h('table', { id: 'audit-table' },
    h('thead', {}, h('tr', {}, ['seq', t('time'), 'actor', 'action', 'object', 'hash'].map((x) => h('th', {}, x)))), list)));
  try {
    const { entries } = await api('GET', '/audit?limit=1000');
    for (const a of entries.reverse()) {
      list.append(h('tr', {}, h('td', {}, a.seq), h('td', {}, when(a.at)), h('td', {}, a.actor), h('td', {}, a.action),
        h('td', { class: 'mono' }, a.object), h('td', { class: 'mono' }, a.hash.slice(0, 16) + '…')));
    }
  } catch (err) { toast(err.message, true); }
}

async function pageUsers(main) {
  const r = role();
  const u = h('input', { id: 'user-name' });
  const p = h('input', { id: 'user-pass', type: 'password' });
  const roleSel = h('select', { id: 'user-role' }, (r === 'admin' ? ['admin', 'reviewer', 'maker', 'org_admin', 'user', 'auditor'] : ['user'])
    .map((x) => h('option', { value: x }, x)));
  const org = h('input', { id: 'user-org', type: 'number', placeholder: 'org id' });
  main.append(h('section', { class: 'card' }, h('h2', {}, t('createUser')), h('form', { id: 'user-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = { username: u.value, password: p.value, role: roleSel.value };
    if (r === 'admin' && org.value) body.org_id = +org.value;
    try { await api('POST', '/users', body); toast(u.value); render(); } catch (err) { toast(err.message, true); }
  } }, h('div', { class: 'row' }, h('div', {}, h('label', {}, t('username')), u), h('div', {}, h('label', {}, t('password')), p),
    h('div', {}, h('label', {}, t('role')), roleSel), r === 'admin' ? h('div', {}, h('label', {}, t('org')), org) : null,
    h('div', {}, h('button', { class: 'primary', type: 'submit' }, t('submit')))))));
  if (r === 'admin') {
    const n = h('input', { id: 'org-name' });
    const c = h('input', { id: 'org-code' });
    main.append(h('section', { class: 'card' }, h('h2', {}, t('createOrg')), h('form', { onsubmit: async (e) => {
      e.preventDefault();
      try { await api('POST', '/orgs', { name: n.value, code: c.value }); toast(n.value); render(); } catch (err) { toast(err.message, true); }
    } }, h('div', { class: 'row' }, h('div', {}, h('label', {}, t('orgName')), n), h('div', {}, h('label', {}, t('orgCode')), c),
      h('div', {}, h('button', { class: 'primary', type: 'submit' }, t('submit')))))));
  }
  const users = h('tbody', {});
  const orgs = h('tbody', {});
  main.append(h('section', { class: 'card' }, h('h2', {}, t('users')), h('table', {}, users), h('h3', {}, t('org')), h('table', {}, orgs)));
  try {
    for (const x of (await api('GET', '/users')).users) {
      users.append(h('tr', {}, h('td', {}, x.id), h('td', {}, x.username), h('td', {}, x.display), h('td', {}, x.role), h('td', {}, x.org_id || '')));
    }
    for (const o of (await api('GET', '/orgs')).orgs) {
      orgs.append(h('tr', {}, h('td', {}, o.id), h('td', {}, o.name), h('td', { class: 'mono' }, o.code)));
    }
  } catch (err) { toast(err.message, true); }
}

/* federation (read-only): this node, its outbox, each peer's last accepted
 * tree head and the fork alarms (docs/federation.md) */
function alarmBox(a, at) {
  if (!a) return h('span', { class: 'PASSED' }, t('noAlarm'));
  return h('div', { class: 'FAILED alarm', 'data-alarm': a.kind || '' }, h('strong', {}, a.kind || '?'),
    at ? ` · ${when(at)}` : '', a.detail ? h('div', {}, a.detail) : null);
}
async function pageFederation(main) {
  const box = h('section', { class: 'card', id: 'federation' }, h('h2', {}, t('federation')));
  main.append(box);
  try { fed = await api('GET', '/federation/peers'); } catch (err) { toast(err.message, true); return; }
  const f = fed;
  const head = (p) => (p.tree_size || p.root_hash
    ? h('span', {}, `${p.tree_size || 0} · `, h('span', { class: 'mono', title: p.root_hash || '' }, (p.root_hash || '').slice(0, 16) + '…'))
    : t('none'));
  box.append(h('table', { class: 'facts', id: 'fed-self' },
    h('tr', {}, h('th', {}, t('node')), h('td', { class: 'mono', id: 'fed-node' }, f.node)),
    h('tr', {}, h('th', {}, t('fedRole')), h('td', { id: 'fed-role' }, t('role_' + f.role))),
    f.national ? h('tr', {}, h('th', {}, t('nationalNode')), h('td', { class: 'mono' }, f.national)) : null,
    h('tr', {}, h('th', {}, t('logSize')), h('td', {}, (f.log || {}).tree_size)),
    h('tr', {}, h('th', {}, t('localAlarm')), h('td', {}, alarmBox((f.log || {}).alarm))),
    h('tr', {}, h('th', {}, t('outbox')), h('td', { id: 'fed-outbox' },
      `${(f.outbox || {}).pending} ${t('outboxPending')} · ${(f.outbox || {}).delivered} ${t('outboxDelivered')} / ${(f.outbox || {}).total}`)),
    h('tr', {}, h('th', {}, t('alarms')), h('td', { class: f.alarms ? 'FAILED' : 'PASSED', id: 'fed-alarms' }, String(f.alarms || 0)))),
  h('h3', {}, t('peers')), h('table', { id: 'fed-peers' },
    h('thead', {}, h('tr', {}, [t('node'), 'URL', t('eventsReceived'), t('lastHead'), t('checkedAt'), t('alarms')].map((x) => h('th', {}, x)))),
    h('tbody', {}, (f.peers || []).map((p) => h('tr', { 'data-peer': p.node },
      h('td', { class: 'mono' }, p.node, p.national ? ` (${t('nationalNode')})` : ''), h('td', { class: 'mono' }, p.url || ''),
      h('td', {}, p.events_received !== undefined ? `${p.events_received} (seq ${p.max_seq})` : ''),
      h('td', {}, head(p)), h('td', {}, when(p.checked_at)), h('td', {}, alarmBox(p.alarm, p.alarm_at)))))),
  h('p', {}, h('button', { id: 'fed-refresh', onclick: () => render() }, t('refresh'))));
}

/* ---- start ---- */
window.addEventListener('hashchange', render);
window.addEventListener('DOMContentLoaded', () => {
  $('#lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('eseal.lang', lang);
    render();
  });
  $('#logout').addEventListener('click', async () => {
    try { await api('POST', '/logout'); } catch (e) { /* gone already */ }
    setSession(null);
    location.hash = '#verify';
  });
  if (!session && !location.hash) location.hash = '#verify';
  $('#footer').textContent = 'eseal · GB/T 38540-2020 · SM2/SM3';
  render();
});
