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

/** The coding the client prefers among brotli and gzip, or null for none (identity). */
export function acceptedCoding(req: IncomingMessage): Coding | null {
  if (!req.headers['accept-encoding']) return null;
  // On equal q-values the client's order decides unless told otherwise; browsers
  // list gzip first, but brotli is smaller for the same work: prefer it.
  const negotiator = new Negotiator(req) as Negotiator & { encoding(available: string[], options: { preferred: string[] }): string | undefined };
  const chosen = negotiator.encoding(OFFERED, { preferred: PREFERRED });
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

/** Every coding the client accepts, best first (for precompressed siblings: app.js.br, then app.js.gz). */
export function acceptedCodings(req: IncomingMessage): Coding[] {
  if (!req.headers['accept-encoding']) return [];
  const negotiator = new Negotiator(req) as Negotiator & { encodings(available: string[], options: { preferred: string[] }): string[] };
  return negotiator.encodings(PREFERRED, { preferred: PREFERRED }) as Coding[];
}

/** The file name suffix of a precompressed sibling. */
export const SIBLING_SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

export function compressSync(body: Buffer, coding: Coding): Buffer {
  return coding === 'br' ? zlib.brotliCompressSync(body, BROTLI) : zlib.gzipSync(body, GZIP);
}

export function compressStream(coding: Coding): Transform {
  return coding === 'br' ? zlib.createBrotliCompress(BROTLI) : zlib.createGzip(GZIP);
}

/** The entity tag of an encoded variant: a different representation needs a different strong tag. */
export const variantEtag = (etag: string, coding: Coding) => `${etag.slice(0, -1)}-${coding}"`;
