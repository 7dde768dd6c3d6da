import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { LogEntry } from '../../app/contract';
import { curlCommand, shellQuote } from '../../app/curl';
import { harLog } from '../../app/har';
import { csvCell, logCsv } from '../../app/log-csv';
import type { KeptDetails } from '../../app/request-details';

const entry = (over: Partial<LogEntry> = {}): LogEntry => ({
  seq: 1,
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 600),
  method: 'GET',
  path: '/a.txt?x=1&y=two%20words',
  status: 200,
  bytes: 5,
  ms: 12.5,
  ip: '127.0.0.1',
  userAgent: 'UA',
  referer: '',
  ...over,
});

const kept: KeptDetails = {
  httpVersion: '1.1',
  secure: false,
  requestHeaders: [
    { name: 'Host', value: 'localhost:8080' },
    { name: 'Accept', value: '*/*' },
  ],
  responseHeaders: [
    { name: 'Content-Type', value: 'text/plain; charset=utf-8' },
    { name: 'Location', value: '/b' },
  ],
  redacted: false,
  truncated: false,
};

test('HAR: a 1.2 log with creator, and entries with request, response, timings and headers where kept', () => {
  const har = harLog([entry(), entry({ seq: 2, method: 'POST', path: '/form', status: 503, ms: 1 })], (seq) => (seq === 1 ? kept : null), {
    version: '9.9.9',
    host: '127.0.0.1:8080',
    secure: false,
  });
  const log = JSON.parse(JSON.stringify(har)).log;
  assert.equal(log.version, '1.2');
  assert.deepEqual(log.creator, { name: 'Pier', version: '9.9.9' });
  assert.equal(log.entries.length, 2);
  const [a, b] = log.entries;
  for (const e of log.entries) {
    for (const key of ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']) assert.ok(key in e, key);
    for (const key of ['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize']) assert.ok(key in e.request, key);
    for (const key of ['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize']) assert.ok(key in e.response, key);
    assert.ok(e.timings.send >= 0 && e.timings.wait >= 0 && e.timings.receive >= 0);
    assert.equal(e.time, e.timings.send + e.timings.wait + e.timings.receive);
  }
  // Started = finished minus the duration.
  assert.equal(a.startedDateTime, '2026-01-02T03:04:05.587Z');
  assert.equal(a.request.url, 'http://localhost:8080/a.txt?x=1&y=two%20words');
  assert.deepEqual(a.request.queryString, [
    { name: 'x', value: '1' },
    { name: 'y', value: 'two words' },
  ]);
  assert.deepEqual(a.request.headers, kept.requestHeaders);
  assert.equal(a.response.content.mimeType, 'text/plain; charset=utf-8');
  assert.equal(a.response.redirectURL, '/b');
  assert.equal(a.response.statusText, 'OK');
  assert.equal(a.request.bodySize, 0);
  // Headers gone: the entry is still there, from the log, and says so.
  assert.equal(b.request.url, 'http://127.0.0.1:8080/form');
  assert.deepEqual(b.request.headers, []);
  assert.equal(b.request.bodySize, -1);
  assert.equal(b.response.statusText, 'Service Unavailable');
  assert.match(b.comment, /no longer kept/);
});

test('CSV: quotes commas, quotes and line breaks; cells a spreadsheet would run as formulas start with a quote', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
  for (const start of ['=', '+', '-', '@', '\t']) assert.equal(csvCell(`${start}SUM(A1)`).replace(/^"/, '')[0], "'", JSON.stringify(start));
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell(-1), '-1', 'numbers are ours, not formulas');

  const text = logCsv([entry({ userAgent: '=cmd|" /C calc"!A0', referer: 'http://x/?a=1,2' })]);
  const lines = text.split('\r\n');
  assert.equal(lines[0], 'Time,Method,Path,Status,Bytes,Duration (ms),Client IP,User agent,Referer,Upstream');
  assert.equal(lines[1], `2026-01-02T03:04:05.600Z,GET,/a.txt?x=1&y=two%20words,200,5,12.5,127.0.0.1,"'=cmd|"" /C calc""!A0","http://x/?a=1,2",`);
  assert.equal(lines[2], '', 'ends with a line break');
});

/** POSIX shell words of `command` (single quotes, backslash-newline continuations, spaces): enough to read back what curlCommand writes. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      assert.ok(end !== -1, 'closed quote');
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && command[i + 1] === '\n') i++;
    else if (c === '\\') word = (word ?? '') + command[++i];
    else if (c === ' ' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

test('cURL: every value survives the shell as one word; connection headers are left to curl', () => {
  const tricky = `it's "x" $HOME \`id\` \\ ; & | * \n?`.replace('\n', '');
  const command = curlCommand('PATCH', "http://127.0.0.1:8080/a b?q='1'", [
    { name: 'Host', value: '127.0.0.1:8080' },
    { name: 'Connection', value: 'keep-alive' },
    { name: 'Content-Length', value: '3' },
    { name: 'X-Tricky', value: tricky },
    { name: 'X-Empty', value: '' },
    { name: 'Accept-Encoding', value: 'gzip' },
  ]);
  assert.deepEqual(shellWords(command), [
    'curl',
    '-X',
    'PATCH',
    "http://127.0.0.1:8080/a b?q='1'",
    '-H',
    `X-Tricky: ${tricky}`,
    '-H',
    'X-Empty;',
    '-H',
    'Accept-Encoding: gzip',
    '--compressed',
  ]);
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  assert.deepEqual(shellWords(curlCommand('HEAD', 'http://h/', [])), ['curl', '--head', 'http://h/']);
  assert.deepEqual(shellWords(curlCommand('GET', 'http://h/', [])), ['curl', 'http://h/']);
});

test('HAR: cookies are listed from Cookie and each Set-Cookie (attributes left out), none from a redacted value', () => {
  const withCookies: KeptDetails = {
    ...kept,
    requestHeaders: [...kept.requestHeaders, { name: 'Cookie', value: 'theme=dark; session=a=b' }],
    responseHeaders: [
      { name: 'Set-Cookie', value: 'session=xyz; Path=/; HttpOnly' },
      { name: 'set-cookie', value: 'seen=1' },
    ],
  };
  const redacted: KeptDetails = { ...kept, requestHeaders: [{ name: 'Cookie', value: '[redacted]' }], redacted: true };
  const har = harLog([entry(), entry({ seq: 2 })], (seq) => (seq === 1 ? withCookies : redacted), { version: '1', host: 'h', secure: false });
  const [a, b] = har.log.entries;
  assert.deepEqual(a!.request.cookies, [
    { name: 'theme', value: 'dark' },
    { name: 'session', value: 'a=b' },
  ]);
  assert.deepEqual(a!.response.cookies, [
    { name: 'session', value: 'xyz' },
    { name: 'seen', value: '1' },
  ]);
  assert.deepEqual(b!.request.cookies, []);
});
