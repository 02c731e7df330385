import { checkRedisUrl, describeRedisUrl } from '../../src/fleet/fleet-redis';

describe('checkRedisUrl', () => {
  it.each(['redis://127.0.0.1:6379', 'rediss://:pw@redis.internal:6380/2'])('accepts %s', (url) => expect(checkRedisUrl(url)).toBe(url));
  it.each([
    { url: undefined, message: /name the Redis server: --redis redis:\/\/host:6379 \(or set PAGEFLOW_REDIS_URL\)/ },
    { url: 'localhost:6379', message: /expected redis:\/\/ or rediss:\/\/ \(TLS\), got localhost:\/\// },
    { url: 'http://redis', message: /expected redis:\/\/ or rediss:\/\/ \(TLS\), got http:\/\// },
    { url: 'not a url', message: /expected a URL such as redis:\/\/127\.0\.0\.1:6379/ },
  ])('refuses $url', ({ url, message }) => expect(() => checkRedisUrl(url)).toThrow(message));
});

describe('describeRedisUrl', () => {
  it.each([
    { url: 'redis://127.0.0.1:6379', shown: 'redis://127.0.0.1:6379' },
    { url: 'rediss://:hunter22@redis.internal:6380/2', shown: 'rediss://***@redis.internal:6380/2' },
    { url: 'redis://admin:hunter22@redis', shown: 'redis://***@redis' },
  ])('$url → $shown', ({ url, shown }) => expect(describeRedisUrl(url)).toBe(shown));
});
