/**
 * The issue's performance targets, checked against one run's figures. Where a
 * figure is missing (a contender skipped or failed) the verdict is "n/a".
 */
import type { Case, Measurement, Startup } from './measure';

export interface Verdict {
  target: string;
  measured: string;
  verdict: 'pass' | 'falls short' | 'n/a';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const times = (n: number) => `${n >= 0.1 ? n.toFixed(2) : n.toPrecision(2)}×`;

/**
 * How many times better pier does than `other` in a case, by the case's
 * deciding figure: req/s, except for the 1 MB file, where the network is not
 * the limit that matters and CPU per request decides (other's ÷ pier's, so
 * above 1 is better either way). Null if either figure is missing.
 */
export function advantage(caseId: Case['id'], pier: Measurement | undefined, other: Measurement | undefined): number | null {
  if (!pier || !other) return null;
  if (caseId === 'large') {
    const [p, o] = [pier.serverCpuUsPerRequest, other.serverCpuUsPerRequest];
    return p === null || o === null || p === 0 ? null : o / p;
  }
  return other.reqPerSec === 0 ? null : pier.reqPerSec / other.reqPerSec;
}

/** Startup: the other's median ÷ pier's, so above 1 means pier answers sooner. */
export function startupAdvantage(pier: Startup | undefined, other: Startup | undefined): number | null {
  if (!pier || !other || pier.samplesMs.length === 0 || other.samplesMs.length === 0) return null;
  return median(other.samplesMs) / median(pier.samplesMs);
}

function check(target: string, value: number | null, pass: (v: number) => boolean, show: (v: number) => string): Verdict {
  if (value === null || !Number.isFinite(value)) return { target, measured: 'n/a', verdict: 'n/a' };
  return { target, measured: show(value), verdict: pass(value) ? 'pass' : 'falls short' };
}

export function evaluateTargets(cases: Case[], results: Measurement[], startups: Startup[]): Verdict[] {
  const row = (server: string, caseId: Case['id']) => results.find((r) => r.server === server && r.case === caseId);
  const start = (server: string) => startups.find((s) => s.server === server);
  const verdicts: Verdict[] = [];

  for (const [caseId, least] of [
    ['small', 0.6],
    ['script', 0.6],
    ['notFound', 0.5],
    ['listing', 0.3],
  ] as const) {
    const name = cases.find((c) => c.id === caseId)?.name ?? caseId;
    verdicts.push(
      check(`${name}: req/s ≥ ${least}× nginx`, advantage(caseId, row('pier', caseId), row('nginx', caseId)), (v) => v >= least, times),
    );
  }
  const pierLarge = row('pier', 'large')?.serverCpuUsPerRequest ?? null;
  const httpLarge = row('http-server', 'large')?.serverCpuUsPerRequest ?? null;
  verdicts.push(
    check(
      '1 MB file: CPU per request at most http-server’s (pier ÷ http-server ≤ 1)',
      pierLarge === null || httpLarge === null || httpLarge === 0 ? null : pierLarge / httpLarge,
      (v) => v <= 1,
      times,
    ),
  );
  for (const [peer, least] of [
    ['serve', 2],
    ['http-server', 1.5],
  ] as const) {
    for (const c of cases.filter((item) => !item.upstream)) {
      const deciding = c.id === 'large' ? 'CPU per request' : 'req/s';
      verdicts.push(
        check(`${c.name}: ≥ ${least}× ${peer} (${deciding})`, advantage(c.id, row('pier', c.id), row(peer, c.id)), (v) => v >= least, times),
      );
    }
    verdicts.push(
      check(`startup: ≥ ${least}× ${peer} (${peer}'s ms ÷ pier's)`, startupAdvantage(start('pier'), start(peer)), (v) => v >= least, times),
    );
  }
  // Compressed once per file version and kept: a compressed answer should cost
  // about what the plain one does, not a brotli run per request.
  const plainCpu = row('pier', 'script')?.serverCpuUsPerRequest ?? null;
  const brCpu = row('pier', 'scriptBr')?.serverCpuUsPerRequest ?? null;
  verdicts.push(
    check(
      '50 KB script with Accept-Encoding: CPU per request ≤ 1.25× the uncompressed answer’s (compressed once, cached)',
      plainCpu === null || brCpu === null || plainCpu === 0 ? null : brCpu / plainCpu,
      (v) => v <= 1.25,
      times,
    ),
  );
  verdicts.push(
    check('2 KB page: p99 ≤ 10 ms at 64 connections', row('pier', 'small')?.p99Ms ?? null, (v) => v <= 10, (v) => `${v.toFixed(2)} ms`),
  );
  // The proxy case: against nginx proxying to the same upstream, and against a bare http-proxy-3 server.
  const proxyName = cases.find((c) => c.id === 'proxy')?.name ?? 'proxy';
  const pierProxyP99 = row('pier', 'proxy')?.p99Ms;
  const withP99 = (v: number) => `${times(v)}${pierProxyP99 === undefined ? '' : ` (pier p99 ${pierProxyP99.toFixed(2)} ms)`}`;
  for (const [peer, least] of [
    ['nginx', 0.5],
    ['http-proxy', 1.5],
  ] as const) {
    verdicts.push(check(`${proxyName}: req/s ≥ ${least}× ${peer}`, advantage('proxy', row('pier', 'proxy'), row(peer, 'proxy')), (v) => v >= least, withP99));
  }
  const pierStart = start('pier');
  verdicts.push(
    check(
      'startup to first response ≤ 150 ms (median)',
      pierStart && pierStart.samplesMs.length > 0 ? median(pierStart.samplesMs) : null,
      (v) => v <= 150,
      (v) => `${Math.round(v)} ms`,
    ),
  );
  return verdicts;
}
