/**
 * The header blocks of a server's recent requests, kept apart from the log
 * entries so that log batches stay small: the window asks for one request's
 * headers when someone opens it, and HAR export reads them for every entry.
 *
 * Bounded twice, like the log itself: by a byte budget for the whole store
 * and by a per-request cap. The oldest are evicted first; an evicted request's
 * headers are simply gone (`get()` answers null) while its log entry may live
 * on. Each request costs two strings (no object per header, nothing for the
 * GC to trace) held in columns indexed like the log's ring.
 */

/** Header text a store keeps at most, counted in characters (headers are Latin-1 on the wire: one byte each). */
export const DEFAULT_DETAILS_BUDGET = 6 * 1024 * 1024;
/** Header text kept at most for one request (request and response together); the rest is cut. */
export const MAX_DETAILS_PER_REQUEST = 16 * 1024;
/** What a kept request costs besides its text (slot bookkeeping), so many tiny entries are bounded too. */
const ENTRY_OVERHEAD = 64;

/** Shown instead of a secret header value. */
export const REDACTED = '[redacted]';

/** One request's headers as kept. */
export interface KeptDetails {
  /** "1.1", "1.0". */
  httpVersion: string;
  /** Arrived over TLS (an HTTPS server answers plain HTTP on the same port too). */
  secure: boolean;
  /** In the order and spelling the client sent them. */
  requestHeaders: Array<{ name: string; value: string }>;
  /** As sent; [] when the response ended before its head went out. */
  responseHeaders: Array<{ name: string; value: string }>;
  /** Authorization and cookie values were replaced by "[redacted]" (the server has a password). */
  redacted: boolean;
  /** The headers were longer than a request may keep: the last ones are missing. */
  truncated: boolean;
}

export interface DetailsLimits {
  /** Total characters kept; default DEFAULT_DETAILS_BUDGET. */
  budget?: number;
  /** Characters kept per request; default MAX_DETAILS_PER_REQUEST. */
  perRequest?: number;
}

// Headers whose values are the server's password or a session: never kept when the server has a password.
const SECRET_REQUEST_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** "a=1; b=2" → "a=[redacted]; b=[redacted]": the names help, the values are the secret. */
const redactCookies = (value: string) => value.replace(/=[^;]*/g, `=${REDACTED}`);

/** Cut to `max` characters as a standalone copy (a slice would keep the long original alive). */
function cut(s: string, max: number): string {
  return s.length <= max ? s : Buffer.from(s.slice(0, max), 'utf16le').toString('utf16le');
}

/**
 * Node's `rawHeaders` (name, value, name, value…) as one string, secrets
 * replaced when `redact` is set. Names and values never contain a newline
 * (Node refuses such requests), so '\n' separates them losslessly.
 */
function requestBlock(rawHeaders: readonly string[], redact: boolean): string {
  if (!redact) return rawHeaders.join('\n');
  const out = rawHeaders.slice();
  for (let i = 0; i < out.length; i += 2) {
    const name = out[i]!.toLowerCase();
    if (!SECRET_REQUEST_HEADERS.has(name)) continue;
    out[i + 1] = name === 'cookie' ? redactCookies(out[i + 1]!) : REDACTED;
  }
  return out.join('\n');
}

/** The response head as Node wrote it ("HTTP/1.1 200 OK\r\nA: b\r\n\r\n"), Set-Cookie values replaced when `redact` is set. */
function responseBlock(head: string, redact: boolean): string {
  return redact ? head.replace(/^(set-cookie:[^=\r\n]*=)[^;\r\n]*/gim, `$1${REDACTED}`) : head;
}

function parseRequestBlock(block: string): Array<{ name: string; value: string }> {
  if (block === '') return [];
  const parts = block.split('\n');
  const out = [];
  // A cut block may end with a name whose value was lost: drop it.
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ name: parts[i]!, value: parts[i + 1]! });
  return out;
}

function parseResponseBlock(block: string): Array<{ name: string; value: string }> {
  const out = [];
  // The first line is the status line; a cut block may end mid-line, which is dropped.
  const lines = block.split('\r\n');
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon > 0) out.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return out;
}

/**
 * The headers of the last requests of one server, keyed by the log's seq.
 * Feed it in seq order (each request right after the log records it).
 */
export class RequestDetailsStore {
  readonly capacity: number;
  readonly budget: number;
  readonly perRequest: number;

  // Columns by slot: seq s lives in slot (s - 1) % capacity, as in RequestLog.
  private readonly seqs: Float64Array;
  private readonly requestBlocks: string[];
  private readonly responseBlocks: string[];
  private readonly versions: string[];
  private readonly costs: Float64Array;
  /** Bit 1: secure, 2: redacted, 4: truncated. */
  private readonly flags: Uint8Array;

  /** Oldest and newest seq that may be kept; first > last when empty. */
  private first = 1;
  private last = 0;
  private used = 0;

  constructor(capacity: number, limits: DetailsLimits = {}) {
    this.capacity = capacity;
    this.budget = limits.budget ?? DEFAULT_DETAILS_BUDGET;
    this.perRequest = limits.perRequest ?? MAX_DETAILS_PER_REQUEST;
    this.seqs = new Float64Array(capacity);
    this.costs = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.requestBlocks = new Array<string>(capacity).fill('');
    this.responseBlocks = new Array<string>(capacity).fill('');
    this.versions = new Array<string>(capacity).fill('');
  }

  /** Characters (plus per-entry overhead) held now; never more than `budget`. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Keep one request's headers.
   *
   * @param rawHeaders The request's `rawHeaders`.
   * @param responseHead The response head as written, or null if none went out.
   * @param redact The server has a password: keep no Authorization, Cookie or Set-Cookie value.
   */
  keep(seq: number, httpVersion: string, secure: boolean, rawHeaders: readonly string[], responseHead: string | null, redact: boolean): void {
    let request = requestBlock(rawHeaders, redact);
    let response = responseHead === null ? '' : responseBlock(responseHead, redact);
    let truncated = false;
    if (request.length + response.length > this.perRequest) {
      truncated = true;
      request = cut(request, this.perRequest);
      response = cut(response, this.perRequest - request.length);
    }
    const cost = request.length + response.length + ENTRY_OVERHEAD;

    if (this.first > this.last) this.first = seq;
    // The slot's previous tenant, and whatever the budget can't hold beside the newcomer, go first.
    while (this.first <= this.last && (this.first <= seq - this.capacity || this.used + cost > this.budget)) this.evictOldest();
    if (this.first > this.last) this.first = seq;
    if (cost > this.budget) return;

    const i = (seq - 1) % this.capacity;
    this.seqs[i] = seq;
    this.versions[i] = httpVersion;
    this.requestBlocks[i] = request;
    this.responseBlocks[i] = response;
    this.costs[i] = cost;
    this.flags[i] = (secure ? 1 : 0) | (redact ? 2 : 0) | (truncated ? 4 : 0);
    this.used += cost;
    this.last = seq;
  }

  /** The kept headers of request `seq`, or null when they are gone (evicted, cleared, never kept). */
  get(seq: number): KeptDetails | null {
    if (!Number.isInteger(seq) || seq < this.first || seq > this.last) return null;
    const i = (seq - 1) % this.capacity;
    if (this.seqs[i] !== seq) return null;
    const flags = this.flags[i]!;
    return {
      httpVersion: this.versions[i]!,
      secure: (flags & 1) !== 0,
      requestHeaders: parseRequestBlock(this.requestBlocks[i]!),
      responseHeaders: parseResponseBlock(this.responseBlocks[i]!),
      redacted: (flags & 2) !== 0,
      truncated: (flags & 4) !== 0,
    };
  }

  /** Forget everything kept. */
  clear(): void {
    this.seqs.fill(0);
    this.requestBlocks.fill('');
    this.responseBlocks.fill('');
    this.versions.fill('');
    this.used = 0;
    this.first = this.last + 1;
  }

  private evictOldest(): void {
    const seq = this.first++;
    const i = (seq - 1) % this.capacity;
    if (this.seqs[i] !== seq) return;
    this.seqs[i] = 0;
    this.requestBlocks[i] = '';
    this.responseBlocks[i] = '';
    this.used -= this.costs[i]!;
  }
}
