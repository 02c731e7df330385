import { type OperatorFunction, tap } from 'rxjs';
import type { DataRecord } from '../record';
import type { RunMetrics } from './run-metrics';

/** Wraps an operator so the run's metrics count the records going into and coming out of it (`metrics.stages`). */
export function countStage(metrics: RunMetrics, name: string, operator: OperatorFunction<DataRecord, DataRecord>): OperatorFunction<DataRecord, DataRecord> {
  const stage = { name, in: 0, out: 0 };
  metrics.stages.push(stage);
  return (records$) =>
    records$.pipe(
      tap(() => {
        stage.in += 1;
      }),
      operator,
      tap(() => {
        stage.out += 1;
      }),
    );
}
