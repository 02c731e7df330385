import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { describeS3Error } from '../../src/sinks/s3/describe-s3-error';

describe('describeS3Error', () => {
  it("gives S3's error code, HTTP status and message", () => {
    const error = new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
    expect(describeS3Error(error)).toBe('NoSuchBucket (HTTP 404): The specified bucket does not exist');
  });

  it('leaves out the "UnknownError" the SDK puts in answers without a body', () => {
    const error = new S3ServiceException({ name: 'NotFound', $fault: 'client', message: 'UnknownError', $metadata: { httpStatusCode: 404 } });
    expect(describeS3Error(error)).toBe('NotFound (HTTP 404)');
  });

  it('gives the system error code when S3 was not reached', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
    expect(describeS3Error(error)).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9000');
  });

  it('reads the message of a refused connection to a name with several addresses', () => {
    const error = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:9000'), new Error('connect ECONNREFUSED 127.0.0.1:9000')], ''), {
      code: 'ECONNREFUSED',
    });
    expect(describeS3Error(error)).toBe('ECONNREFUSED: connect ECONNREFUSED ::1:9000');
  });

  it('keeps a multi-line message on one line', () => {
    expect(describeS3Error(new Error('first line\n  second line'))).toBe('Error: first line second line');
  });
});
