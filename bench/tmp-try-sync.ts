import { homedir } from 'node:os';
import { join } from 'node:path';
import { benchSyncThroughput } from './sync-throughput.ts';
const f = await benchSyncThroughput(join(homedir(), '.cache', 'gitward'), 1);
console.log(JSON.stringify(f, null, 1));
