import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../model/onnx/graphBuilder.ts';
import { warmupModel } from '../../../model/onnx/warmupModel.ts';

describe('warmupModel', () => {
  it('is what GraphBuilder encodes for x → Identity → y', () => {
    const g = new GraphBuilder('warmup');
    const x = g.input('x', 'float', [1]);
    g.output(g.op('Identity', [x], {}, 'y'), 'float', [1]);
    expect(Buffer.from(warmupModel()).equals(Buffer.from(g.build()))).toBe(true);
  });

  it('loads and runs in onnxruntime', async () => {
    const session = await ort.InferenceSession.create(warmupModel());
    try {
      expect(session.inputNames).toEqual(['x']);
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(2.5), [1]) });
      expect(Array.from(y.data as Float32Array)).toEqual([2.5]);
    } finally {
      await session.release();
    }
  });

  it('is a fresh copy each call', () => {
    const a = warmupModel();
    a[0] = 0;
    expect(warmupModel()[0]).not.toBe(0);
  });
});
