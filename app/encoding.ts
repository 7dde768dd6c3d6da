/**
 * Content codings: which one a client gets (brotli, then gzip, as its
 * Accept-Encoding allows), and the compressors. Only types worth compressing
 * (text, JSON, JavaScript, SVG, wasm… as mime-db marks them), never ranges.
 */
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

import compressible from 'compressible';
import Negotiator from 'negotiator';

export type Coding = 'br' | 'gzip';

const OFFERED = ['br', 'gzip', 'identity'];
const PREFERRED = ['br', 'gzip'];
/** Smaller bodies gain nothing from compression (the headers outweigh the saving). */
export const MIN_COMPRESS_BYTES = 256;

// Quality 5 (brotli) and level 6 (gzip): most of the saving at a small part of
// the cost of the maximum; small files are compressed once per version and kept.
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
const GZIP = { level: 6 };

/** True for a Content-Type worth compressing. */
export function isCompressible(type: string): boolean {
  return compressible(type) === true;
}

/** Rankings by Accept-Encoding value: clients send a handful of distinct ones, and every request asks. */
const rankings = new Map<string, readonly string[]>();
const RANKINGS_KEPT = 64;

/**
 * brotli, gzip and identity as this client ranks them, best first, without
 * what it refuses. On equal q-values the client's order would decide;
 * browsers list gzip first, but brotli is smaller for the same work: prefer it.
 */
function ranked(req: IncomingMessage): readonly string[] {
  const header = req.headers['accept-encoding'];
  if (!header) return [];
  let ranking = rankings.get(header);
  if (!ranking) {
    const negotiator = new Negotiator(req) as Negotiator & { encodings(available: string[], options: { preferred: string[] }): string[] };
    ranking = negotiator.encodings(OFFERED, { preferred: PREFERRED });
    if (rankings.size >= RANKINGS_KEPT) rankings.clear();
    rankings.set(header, ranking);
  }
  return ranking;
}

/** The coding the client prefers among brotli and gzip, or null for none (identity). */
export function acceptedCoding(req: IncomingMessage): Coding | null {
  const best = ranked(req)[0];
  return best === 'br' || best === 'gzip' ? best : null;
}

/** Every coding the client accepts, best first (for precompressed siblings: app.js.br, then app.js.gz). */
export function acceptedCodings(req: IncomingMessage): Coding[] {
  return ranked(req).filter((coding): coding is Coding => coding !== 'identity');
}

/** The file name suffix of a precompressed sibling. */
export const SIBLING_SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

/** `game.wasm.br` → brotli-coded `game.wasm`; null for a name without `.br`/`.gz` (or nothing before it). */
export function precompressedName(name: string): { coding: Coding; inner: string } | null {
  const coding: Coding | null = name.endsWith('.br') ? 'br' : name.endsWith('.gz') ? 'gzip' : null;
  if (coding === null) return null;
  const inner = name.slice(0, -SIBLING_SUFFIX[coding].length);
  return inner.endsWith('/') || inner === '' ? null : { coding, inner };
}

export function compressSync(body: Buffer, coding: Coding): Buffer {
  return coding === 'br' ? zlib.brotliCompressSync(body, BROTLI) : zlib.gzipSync(body, GZIP);
}

export function compressStream(coding: Coding): Transform {
  return coding === 'br' ? zlib.createBrotliCompress(BROTLI) : zlib.createGzip(GZIP);
}

/**
 * The entity tag of a variant (encoded, or with the live-reload client in
 * it): a different representation needs a different strong tag. Variants
 * stack: `"ino-size-mtime-live-br"`.
 */
export const variantEtag = (etag: string, variant: Coding | 'live') => `${etag.slice(0, -1)}-${variant}"`;
