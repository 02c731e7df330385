import type { BenchCase } from '../harness/bench-case';
import { customersPipeline, dependencyFloorReference, formatCount, type ReferenceShape, speedOfLightReference } from './customers-export';

const PAGES = 5000;
const SHAPE: ReferenceShape = { perPage: 10, format: 'csv' };

/** Many small pages: what pageflow spends per page (request, parse, page boundary) above the speed-of-light script. */
export const pagesCases: readonly BenchCase[] = [
  {
    name: 'pages-5000',
    title: ({ size }) => `${formatCount(size(PAGES))} pages × 10 records → CSV file`,
    api: ({ size }) => ({ customers: size(PAGES) * SHAPE.perPage, cachePages: true }),
    output: 'csv',
    pageflow: (context) => ({ variants: [{ label: 'default', definition: (output) => customersPipeline('pages-5000', context, SHAPE, output) }] }),
    reference: (context) => speedOfLightReference(context, SHAPE),
    floor: (context) => dependencyFloorReference(context, SHAPE),
    note: ({ context, pageflow, reference }) =>
      reference ? `${((pageflow.wallMs.median - reference.wallMs.median) / context.size(PAGES)).toFixed(3)} ms per page above the reference` : '',
  },
];
