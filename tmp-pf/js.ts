import { z } from 'zod';
import { createDefaultRegistry } from '../src/pipeline/builtins';
import { pipelineFields } from '../src/pipeline/schema';
const r = createDefaultRegistry();
const src = r.list('source').map(d => d.config);
const sinks = r.list('sink').map(d => d.config);
const ops = r.list('operator').map(d => z.strictObject({ [d.type]: d.config }).meta({description: d.summary}));
const s = z.strictObject({ ...pipelineFields, source: z.discriminatedUnion('type', src as any), transforms: z.array(z.union(ops as any)).optional(), sinks: z.array(z.discriminatedUnion('type', sinks as any)).min(1) });
console.log(JSON.stringify(z.toJSONSchema(s, { io: 'input', target: 'draft-7' }), null, 2));
