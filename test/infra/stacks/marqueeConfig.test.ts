import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, MarqueeConfigError, parseMarqueeConfig, readMarqueeConfig } from '../../../infra/stacks/marqueeConfig.ts';

describe('marqueeConfig', () => {
  it('has a default for every setting but the alarm e-mail', () => {
    const config = parseMarqueeConfig({});
    expect(config).toMatchObject({
      stage: 'dev',
      architecture: 'x86_64',
      retrainSchedule: 'rate(1 day)',
      servingMemoryMb: 1024,
      functionMemoryMb: 512,
      retrainMemoryMb: 3008,
      retrainTimeoutMinutes: 15,
      logRetentionDays: 30,
      modelRefreshSeconds: 60,
      corsAllowOrigins: [],
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(CONFIG_KEYS.filter((key) => config[key] === undefined)).toEqual(['alarmEmail']);
  });

  it('reads context as `-c key=value` gives it (strings) and as cdk.json gives it (JSON values)', () => {
    const app = new App({
      context: {
        stage: 'prod',
        architecture: 'arm64',
        servingMemoryMb: '2048',
        historyLength: 50,
        corsAllowOrigins: 'https://a.example, https://b.example',
        unrelated: 'x',
      },
    });
    expect(readMarqueeConfig(app.node)).toMatchObject({
      stage: 'prod',
      architecture: 'arm64',
      servingMemoryMb: 2048,
      historyLength: 50,
      corsAllowOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it('leaves CORS off unless origins are named, and refuses what is no origin', () => {
    expect(parseMarqueeConfig({ corsAllowOrigins: '' }).corsAllowOrigins).toEqual([]);
    expect(parseMarqueeConfig({ corsAllowOrigins: '*' }).corsAllowOrigins).toEqual(['*']);
    expect(parseMarqueeConfig({ corsAllowOrigins: ['http://localhost:5173'] }).corsAllowOrigins).toEqual(['http://localhost:5173']);
    for (const bad of ['a.example', 'https://a.example/app', 'https://*.example', 'ftp://a.example']) {
      expect(() => parseMarqueeConfig({ corsAllowOrigins: bad }), bad).toThrow(/corsAllowOrigins/);
    }
  });

  it('rejects bad values, naming every bad key', () => {
    const bad = () =>
      parseMarqueeConfig({ architecture: 'mips', logRetentionDays: '31', stage: 'Prod!', retrainMemoryMb: '20000', alarmEmail: 'nobody' });
    expect(bad).toThrow(MarqueeConfigError);
    expect(bad).toThrow(/architecture.*logRetentionDays|logRetentionDays.*architecture/);
    for (const key of ['stage', 'retrainMemoryMb', 'alarmEmail', 'logRetentionDays']) expect(bad).toThrow(new RegExp(key));
    expect(() => parseMarqueeConfig({ retrainSchedule: 'cron(0 3 * * ? *)' })).not.toThrow();
    expect(() => parseMarqueeConfig({ retrainSchedule: 'daily' })).toThrow(/retrainSchedule/);
  });
});
