import { writeSync } from 'node:fs';
import { peakRssMiB } from './peak-memory';

// Preloaded (`node --require`) into every whole-process run: the parent cannot read a child's peak
// memory, so the child reports its own (MiB) on file descriptor 3 as it exits.
process.on('exit', () => {
  writeSync(3, String(peakRssMiB()));
});
