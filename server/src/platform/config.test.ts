import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const secret = 'x'.repeat(40);

/** A data directory of the test's own, removed when the test ends. */
function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'abrik-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe(loadConfig.name, () => {
  it('starts with no configuration at all, on PGlite and the log SMS provider', () => {
    const dataDir = tempDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SMS_PROVIDER).toBe('log');
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('keeps the generated development secret across restarts, in the data directory', () => {
    const dataDir = tempDataDir();
    const first = loadConfig({ DATA_DIR: dataDir }).JWT_SECRET;
    expect(loadConfig({ DATA_DIR: dataDir }).JWT_SECRET).toBe(first);
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).jwtSecret).toBe(first);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'not a url', JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names.sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'PORT']);
    }
  });

  it('refuses production without a JWT secret or with the log SMS provider', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*|SMS_PROVIDER/);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      const names = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
      expect(names).toEqual([
        'FIREBASE_SERVICE_ACCOUNT_PATH',
        'JWT_SECRET',
        'METRICS_TOKEN',
        'SMS_PROVIDER',
        'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY',
      ]);
    }
    const prod = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      METRICS_TOKEN: 'scrape-token-of-sixteen',
      KAVENEGAR_API_KEY: 'key',
      PUSH_PROVIDERS: 'none',
    });
    expect(prod.SMS_PROVIDER).toBe('kavenegar');
    expect(prod.PUSH_PROVIDERS).toEqual([]);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, SMS_PROVIDER: 'log', PUSH_PROVIDERS: 'none' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        KAVENEGAR_API_KEY: 'k',
        PUSH_PROVIDERS: 'log',
      }),
    ).toThrow(/PUSH_PROVIDERS/);
  });

  it('requires a Kavenegar key when Kavenegar is chosen', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'kavenegar', JWT_SECRET: secret })).toThrow(/KAVENEGAR_API_KEY/);
  });

  it('reads booleans and lists', () => {
    const config = loadConfig({
      JWT_SECRET: secret,
      TRUST_PROXY: 'true',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });
});
