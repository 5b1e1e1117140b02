import { homedir } from 'node:os';
import { join } from 'node:path';
import { benchRender } from './render.ts';
const f = await benchRender(join(homedir(), '.cache', 'gitward'), 3, process.env);
console.log(JSON.stringify(f, null, 1));
