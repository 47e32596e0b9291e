/**
 * `npm start`: the playground. Starts the server on 127.0.0.1 (`PORT`, or a free port), prints
 * its URL, and stops cleanly on Ctrl-C. `npm start -- --headless` runs the scripted tour in the
 * terminal instead (`examples/start.ts`).
 */
import { main as runHeadlessTour } from '../examples/start.js';
import { startPlayground } from './server.js';

const USAGE = `usage: npm start [-- --headless]

  (no flag)    serve the playground on http://127.0.0.1:$PORT/ (PORT unset: a free port)
  --headless   run a scripted tour of the lifecycle in the terminal, then exit
  env STATESOCK_INSPECT=ws://localhost:8080   with --headless: also send machine events to a Stately inspector relay`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
} else if (args.some((arg) => arg !== '--headless')) {
  console.error(`unknown argument: ${args.find((arg) => arg !== '--headless')}\n${USAGE}`);
  process.exitCode = 2;
} else if (args.includes('--headless')) {
  await runHeadlessTour();
} else {
  await serve();
}

async function serve(): Promise<void> {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 0 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
    process.exitCode = 2;
    return;
  }
  const playground = await startPlayground({ port, log: (line) => console.log(`  ${line}`) });
  console.log(`statesock playground: ${playground.url}`);
  console.log('Open it in a browser (two tabs make a chat). Ctrl-C stops it.');
  if (process.env.STATESOCK_INSPECT)
    console.log('(STATESOCK_INSPECT applies to --headless; the page has its own link to the Stately inspector.)');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C: do not wait
    stopping = true;
    console.log(`\n${signal}: closing every socket and the server`);
    playground.close().then(
      () => console.log('stopped'),
      (error: unknown) => {
        console.error('could not stop cleanly:', error);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
