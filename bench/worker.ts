// One measurement in a fresh process: `node worker.js '<task JSON>'`; the result goes back over IPC.
import { Task, runTask } from './tasks';

runTask(JSON.parse(process.argv[2]) as Task).then(
  (result) => process.send?.({ result }, () => process.exit(0)),
  (err: unknown) => process.send?.({ error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
);
