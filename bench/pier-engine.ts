/**
 * Pier's engine without the CLI, for bench/run.ts: one ServerInstance on
 * 127.0.0.1 with caching off and, unlike `pier serve`, nobody subscribed to its
 * request log. Requests are still recorded in the ring buffer, as always.
 *
 *   node --import tsx bench/pier-engine.ts DIR PORT [--subscribe]
 *
 * --subscribe adds the CLI's --json subscriber (JSON.stringify per entry, one
 * write per batch), to tell the cost of formatting from the cost of the CLI.
 */
import { ServerOptions } from '../app/contract';
import { ServerInstance } from '../app/server-instance';

const [root, port, flag] = process.argv.slice(2);
if (!root || !port) {
  process.stderr.write('usage: pier-engine.ts DIR PORT [--subscribe]\n');
  process.exit(2);
}

const options = ServerOptions.parse({ name: 'bench', root, port: Number(port), caching: 'no-store' });
const instance = new ServerInstance({ ...options, id: 'bench' });
instance.on('requestError', (error) => process.stderr.write(`pier-engine: ${String(error)}\n`));
const started = await instance.start();
if (!started.ok) {
  process.stderr.write(`pier-engine: ${started.message}\n`);
  process.exit(1);
}
if (flag === '--subscribe') {
  instance.log.subscribe((batch) => {
    let out = '';
    for (const entry of batch) out += `${JSON.stringify({ type: 'request', ...entry })}\n`;
    process.stdout.write(out);
  });
}
process.stdout.write(`${JSON.stringify({ type: 'listening', url: started.value.url })}\n`);
process.on('SIGTERM', () => void instance.stop().then(() => process.exit(0)));
