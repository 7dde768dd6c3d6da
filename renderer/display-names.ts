import type { ServerId, ServerState } from '../app/contract';

/** The folders above a server's folder, nearest first ("/work/site-a/dist" → ["site-a", "work"]). */
function parentsOf(root: string): string[] {
  return root.split(/[\\/]+/).filter(Boolean).slice(0, -1).reverse();
}

/** The last `depth` parent folders, outermost first, joined as the path writes them. */
function tail(root: string, depth: number): string {
  const separator = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return parentsOf(root).slice(0, depth).reverse().join(separator);
}

/**
 * What the sidebar calls each server: its name, and where two or more share
 * a name (two folders called `dist`), as many parent folders as tell them
 * apart: "dist — site-a", "dist — site-b"; "dist — a/site" when those collide too.
 */
export function displayNames(servers: readonly ServerState[]): Map<ServerId, string> {
  const byName = new Map<string, ServerState[]>();
  for (const server of servers) byName.set(server.config.name, [...(byName.get(server.config.name) ?? []), server]);
  const names = new Map<ServerId, string>();
  for (const [name, group] of byName) {
    if (group.length === 1) {
      names.set(group[0]!.id, name);
      continue;
    }
    const deepest = Math.max(...group.map((server) => parentsOf(server.config.root).length));
    let depth = 1;
    // Two servers of the very same folder can't be told apart by it: the deepest try stands.
    while (depth < deepest && new Set(group.map((server) => tail(server.config.root, depth))).size < group.length) depth++;
    for (const server of group) {
      const where = tail(server.config.root, depth);
      names.set(server.id, where ? `${name} — ${where}` : name);
    }
  }
  return names;
}
