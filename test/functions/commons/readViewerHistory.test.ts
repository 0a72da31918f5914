import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError } from '../../../functions/commons/httpErrors.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { readViewerHistory } from '../../../functions/commons/readViewerHistory.ts';
import { viewerRef } from '../../../functions/commons/viewerRef.ts';

describe('readViewerHistory', () => {
  afterEach(() => vi.restoreAllMocks());

  it('returns the stored history', async () => {
    const entries = [{ itemId: 'm1', type: 'click' as const, timestamp: 1 }];
    expect(await readViewerHistory({ get: async () => entries }, 'u1')).toEqual(entries);
  });

  it('answers 503 on a store failure and logs the viewer by reference, never by id', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failing = { get: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    await expect(readViewerHistory(failing, 'viewer-secret-42')).rejects.toThrow(ServiceUnavailableError);
    expect(errors).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(errors.mock.calls);
    expect(logged).not.toContain('viewer-secret-42');
    expect(logged).toContain(viewerRef('viewer-secret-42'));
  });
});

describe('viewerRef', () => {
  it('is short, stable, and tells viewers apart without holding the id', () => {
    expect(viewerRef('u1')).toMatch(/^v:[0-9a-f]{12}$/);
    expect(viewerRef('u1')).toBe(viewerRef('u1'));
    expect(viewerRef('u1')).not.toBe(viewerRef('u2'));
    expect(viewerRef('196')).not.toContain('196');
  });
});
