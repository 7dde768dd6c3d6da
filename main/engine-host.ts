/**
 * The engine host: the entry point of the process Pier's servers run in.
 * In the app, main starts it with Electron's utilityProcess.fork; the e2e
 * harness and the tests start the same file with Node's child_process.fork.
 * A flood, a slow disk or a bug in serving stops here, never in the window.
 * Plain Node: never electron (the build checks).
 */
import { parentChannel } from '../app/engine-channel';
import { isMainToEngine, type EngineApi, type EngineCall } from '../app/engine-protocol';
import { startEngine } from './engine-service';

const parent = parentChannel();
let engine: Promise<EngineApi> | null = null;

async function answer(call: EngineCall): Promise<void> {
  try {
    if (!engine) throw new Error('The engine was called before init.');
    const api = await engine;
    const method = api[call.method] as (...args: unknown[]) => Promise<unknown>;
    parent.send({ type: 'reply', id: call.id, ok: true, value: await method(...call.args) });
  } catch (error) {
    console.error(`[pier engine] ${call.method} failed`, error);
    parent.send({ type: 'reply', id: call.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

parent.onMessage((message) => {
  if (!isMainToEngine(message)) {
    console.error('[pier engine] ignored a message of unknown shape');
    return;
  }
  if (message.type === 'init') {
    if (engine) return;
    engine = startEngine(message.options, (event) => parent.send(event));
    // A failed start leaves no engine to talk to: end, and main says so and starts another.
    engine.then(
      () => parent.send({ type: 'ready' }),
      (error: unknown) => {
        console.error('[pier engine] could not start', error);
        process.exit(1);
      },
    );
    return;
  }
  void answer(message);
});

// Started by a Node parent that went away (the harness, a test): nobody is left to stop the servers.
parent.onDisconnect(() => process.exit(0));
