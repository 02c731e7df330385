import { ConfigError } from '../../src/errors/config-error';
import { SinkError } from '../../src/errors/sink-error';
import { SourceError } from '../../src/errors/source-error';
import { JobError } from '../../src/fleet/job-error';

describe('JobError', () => {
  it.each([
    { name: 'an invalid pipeline', cause: new ConfigError('p.yaml', [{ path: 'sinks', message: 'x' }]), retryable: false },
    { name: 'a 401', cause: new SourceError('page 1: HTTP 401', { status: 401 }), retryable: false },
    { name: 'a 404', cause: new SourceError('page 1: HTTP 404', { status: 404 }), retryable: false },
    { name: 'a 429 past its retries', cause: new SourceError('page 1: HTTP 429', { status: 429 }), retryable: true },
    { name: 'a timeout (408)', cause: new SourceError('page 1: HTTP 408', { status: 408 }), retryable: true },
    { name: 'a 503', cause: new SourceError('page 1: HTTP 503', { status: 503 }), retryable: true },
    { name: 'a network error', cause: new SourceError('page 1: ECONNRESET'), retryable: true },
    { name: 'a sink failure', cause: new SinkError('s3://b/k', 'upload failed'), retryable: true },
    { name: 'anything else', cause: new Error('boom'), retryable: true },
  ])('$name: retryable $retryable', ({ cause, retryable }) => {
    expect(new JobError('message', cause).retryable).toBe(retryable);
  });

  it('keeps no stack beyond its message (BullMQ stores the stack) and the cause’s code', () => {
    const error = new JobError('page 1: HTTP 500', new SourceError('page 1: HTTP 500 with a token', { status: 500, code: 'PF_HTTP_STATUS' }));
    expect(error.stack).toBe('JobError: page 1: HTTP 500');
    expect(error.code).toBe('PF_HTTP_STATUS');
  });
});
