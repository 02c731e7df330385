/**
 * The customers-to-csv pipeline composed in code instead of YAML, with a custom RxJS operator in the pipe.
 * Run it with: MKP_TOKEN=… npx ts-node examples/customers-to-csv.ts
 */
import { map } from 'rxjs';
import { createFileSink, createHttpSource, createStdoutSink, dedupBy, filterWhere, mapFields, runPipeline, type DataRecord } from '../src';

async function main(): Promise<void> {
  const metrics = await runPipeline({
    source: createHttpSource({
      url: `${process.env.MKP_BASE_URL ?? 'https://api.mijnklantportaal.nl'}/v1/customers`,
      params: { per_page: 100 },
      auth: { type: 'bearer', token: process.env.MKP_TOKEN ?? '' },
      rateLimit: { requests: 60, per: '60s' },
    }),
    operators: [
      dedupBy('id'),
      filterWhere((customer) => customer.integration === 'acumulus'),
      mapFields({ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }),
      // Any RxJS operator on records fits in the pipe.
      map((customer: DataRecord) => ({ ...customer, exportedAt: new Date().toISOString() })),
    ],
    sinks: [createFileSink({ path: 'out/acumulus-customers.csv' }), createStdoutSink()],
  });
  process.stderr.write(`${metrics.pages} pages, ${metrics.sinks[0].records} customers written\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
