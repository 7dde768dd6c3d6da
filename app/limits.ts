/**
 * Bounds on everything a client controls. Each one is stated in the README;
 * change them together. nginx's defaults, for orientation:
 * large_client_header_buffers 4 8k, client_header_timeout 60s,
 * keepalive_timeout 75s, send_timeout 60s.
 */

/** A request target longer than this gets 414 before any file-system work. */
export const MAX_URL_BYTES = 8 * 1024;
/** A path with more segments than this is a 404 before any file-system work (real sites nest far less). */
export const MAX_PATH_DEPTH = 64;
/** No file system allows a longer name; a longer segment cannot exist. */
export const MAX_SEGMENT_BYTES = 255;
/** The request line and headers together; more gets 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** The headers of a request must arrive within this time (408 otherwise). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A connection with no traffic either way for this long is dropped, also mid-response (a reader that stalls). */
export const SOCKET_IDLE_MS = 60_000;

/**
 * Pipelining: requests of one connection are answered one at a time, in order
 * (HTTP/1.1 demands the order anyway). Past this many waiting, Pier stops
 * reading from the connection until the client has read some answers.
 */
export const PIPELINE_PAUSE_AT = 16;
/** A client that still piles up this many unanswered requests is cut off. */
export const PIPELINE_MAX = 256;
/** Connections per server at once; more wait in the kernel's backlog. */
export const MAX_CONNECTIONS = 1024;

/** Files up to this size are read in one call (and may be cached); larger ones are streamed. */
export const READ_WHOLE_MAX = 64 * 1024;
/** Memory for cached small files, per server (their compressed variants, each smaller than its file, come on top). */
export const FILE_CACHE_BYTES = 32 * 1024 * 1024;
/** Folder listings kept rendered, per server (each with a watcher on its folder). */
export const LISTING_CACHE_ENTRIES = 16;
/** Entries a listing shows at most; the rest are counted. */
export const LISTING_MAX_ENTRIES = 5_000;
/**
 * Larger files are read and sent this much at a time. Measured on a 1 MB file:
 * 256 KB chunks cost 38% less CPU per download than Node's default 64 KB;
 * 1 MB chunks no less than 256 KB, with four times the memory per download.
 */
export const STREAM_CHUNK_BYTES = 256 * 1024;

/** Live reload: open pages (event streams) per server; more get 503. */
export const LIVE_RELOAD_MAX_CLIENTS = 64;
/**
 * A comment on every event stream this often, so neither our own idle
 * timeout (SOCKET_IDLE_MS) nor a proxy takes a quiet stream for a dead one.
 */
export const LIVE_RELOAD_HEARTBEAT_MS = 15_000;
/** Saves are collected until the folder has been quiet this long… */
export const LIVE_RELOAD_QUIET_MS = 100;
/** …but pages hear of them at most this long after the first (a build that writes for minutes). */
export const LIVE_RELOAD_MAX_WAIT_MS = 1_000;
/** Changed paths named in one event; past that, the event says "too many" and every page reloads. */
export const LIVE_RELOAD_MAX_PATHS = 100;
/** Unsent bytes an event stream may hold; a page that stopped reading is dropped, not buffered for. */
export const LIVE_RELOAD_BACKLOG_BYTES = 64 * 1024;

/** Proxied requests (and open proxied WebSockets) in flight per server; more get 503. Upload bodies are streamed, never held: no size limit. */
export const PROXY_MAX_IN_FLIGHT = 1_024;
/** An upstream that refused a connection or timed out connecting is left out this long… */
export const PROXY_FAIL_MS = 10_000;
/** …doubling while it keeps failing, up to this. */
export const PROXY_FAIL_MAX_MS = 60_000;
/** With a health check path, each upstream is asked this often… */
export const PROXY_HEALTH_INTERVAL_MS = 5_000;
/** …and counts as down when it has not answered within this. */
export const PROXY_HEALTH_TIMEOUT_MS = 2_000;
/** Requests an upstream's mean latency is taken over. */
export const PROXY_LATENCY_WINDOW = 32;
/** A kept-alive connection to an upstream is closed after idling this long (sooner when the upstream's Keep-Alive header says so). */
export const UPSTREAM_IDLE_MS = 4_000;
