/**
 * The pages Pier writes itself: folder listings and error pages, in Pier's
 * look (light and dark follow the system), self-contained (no scripts, inline
 * styles only), with every name escaped.
 */
import type { FolderEntry } from './checked-open';
import { formatBytes } from './format';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text as it may go into HTML, also inside an attribute. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
/** A path segment as it goes into an href. */
const hrefOf = (name: string) => encodeURIComponent(name);

/** Pier's page look: colours for light and dark, the font, the footer. Every page Pier writes starts from it. */
export const THEME = `
:root{color-scheme:light dark;--bg:#f7f7f5;--card:#fff;--text:#1c1d1f;--muted:#6b6f76;--line:#e4e4e0;--accent:#2563eb;--hover:#f0f3fa}
@media (prefers-color-scheme:dark){:root{--bg:#17181a;--card:#1f2023;--text:#e8e8e6;--muted:#9a9ea6;--line:#2e3034;--accent:#7aa2ff;--hover:#262a33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
footer{margin-top:12px;font-size:12px;color:var(--muted);text-align:center}
`;

const STYLE = `${THEME}
main{max-width:860px;margin:40px auto;padding:0 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
header{padding:18px 20px;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:18px;font-weight:600;word-break:break-all}
nav{font-size:13px;color:var(--muted);margin-top:4px;word-break:break-all}
nav a{color:var(--accent);text-decoration:none}nav a:hover{text-decoration:underline}
table{width:100%;border-collapse:collapse}
th{font-size:12px;font-weight:500;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);text-align:left;padding:8px 20px;border-bottom:1px solid var(--line)}
td{padding:7px 20px;border-bottom:1px solid var(--line);white-space:nowrap}
tr:last-child td{border-bottom:0}
tbody tr:hover{background:var(--hover)}
td.name{width:100%;white-space:normal;word-break:break-all}
td.name a{color:var(--text);text-decoration:none;display:block}
td.dir a{color:var(--accent);font-weight:500}
td.num{text-align:right;color:var(--muted);font-variant-numeric:tabular-nums}
.empty,.note{padding:16px 20px;color:var(--muted)}
.error header{border-bottom:0}.error p{margin:0 20px 18px;color:var(--muted)}.error a{color:var(--accent)}
.code{font-size:44px;font-weight:700;color:var(--muted);line-height:1}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<footer>Served by Pier</footer>
</main>
</body>
</html>
`;
}

/** "/" → Home › … links for each folder of a URL path like "/docs/api/". */
function breadcrumbs(urlPath: string): string {
  const segments = urlPath.split('/').filter(Boolean);
  const parts = [`<a href="/">Home</a>`];
  let href = '/';
  for (const segment of segments) {
    href += `${hrefOf(segment)}/`;
    parts.push(`<a href="${href}">${escapeHtml(segment)}</a>`);
  }
  return parts.join(' / ');
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

function sortEntries(entries: readonly FolderEntry[]): FolderEntry[] {
  return [...entries].sort((a, b) =>
    a.isDirectory === b.isDirectory ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.isDirectory ? -1 : 1,
  );
}

/** An HTML listing of the folder at `urlPath` (decoded, ending in "/"). */
export function listingHtml(urlPath: string, entries: readonly FolderEntry[], more: number): string {
  const rows = sortEntries(entries).map((entry) => {
    const name = escapeHtml(entry.name) + (entry.isDirectory ? '/' : '');
    const href = hrefOf(entry.name) + (entry.isDirectory ? '/' : '');
    const size = entry.isDirectory ? '—' : formatBytes(entry.size);
    return `<tr><td class="name${entry.isDirectory ? ' dir' : ''}"><a href="${href}">${name}</a></td><td class="num">${size}</td><td class="num">${dateFormat.format(entry.mtimeMs)} UTC</td></tr>`;
  });
  const parent = urlPath === '/' ? '' : `<tr><td class="name dir"><a href="../">../</a></td><td class="num"></td><td class="num"></td></tr>`;
  const table = rows.length || parent
    ? `<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>${parent}${rows.join('')}</tbody></table>`
    : '';
  const empty = rows.length === 0 ? `<div class="empty">This folder is empty.</div>` : '';
  const note = more > 0 ? `<div class="note">…and ${more.toLocaleString('en')} more not shown.</div>` : '';
  return page(`Index of ${urlPath}`, `<div class="card"><header><h1>Index of ${escapeHtml(urlPath)}</h1><nav>${breadcrumbs(urlPath)}</nav></header>${table}${empty}${note}</div>`);
}

/** The same listing as JSON, for scripts (asked for with Accept: application/json). */
export function listingJson(urlPath: string, entries: readonly FolderEntry[], more: number): string {
  return JSON.stringify({
    path: urlPath,
    entries: sortEntries(entries).map((e) => ({
      name: e.name,
      type: e.isDirectory ? 'directory' : 'file',
      size: e.isDirectory ? null : e.size,
      modified: new Date(e.mtimeMs).toISOString(),
    })),
    more,
  });
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Password required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  412: 'Precondition failed',
  414: 'Address too long',
  416: 'Range not satisfiable',
  500: 'Something went wrong',
  503: 'Busy',
};

/** An error page: the status, a title and one sentence. */
export function errorHtml(status: number, message: string): string {
  const title = TITLES[status] ?? 'Error';
  return page(
    `${status} ${title}`,
    `<div class="card error"><header><div class="code">${status}</div><h1>${escapeHtml(title)}</h1></header><p>${escapeHtml(message)}</p><p><a href="/">Go to the home page</a></p></div>`,
  );
}
