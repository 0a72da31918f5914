import onnxProto from 'onnx-proto';
import { ExportError } from '../errors.ts';
import { ONNX_IR_VERSION, ONNX_OPSET, ONNX_PRODUCER_NAME } from './constants.ts';
import { toLittleEndianBytes } from './littleEndian.ts';

const { onnx } = onnxProto;

/** Element types the Marquee graphs use, mapped to ONNX TensorProto.DataType codes. */
export const ELEMENT_TYPES = {
  float: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  double: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
} as const;

export type ElementType = keyof typeof ELEMENT_TYPES;

/** A dimension: a fixed size, or a symbolic name (`dim_param`) for a size known only at run time. */
export type Dimension = number | string;

/** Node attributes: integers, integer lists, `{ float }`, or `{ tensor }` (e.g. ConstantOfShape's value). */
export type AttributeValue = number | readonly number[] | { readonly float: number } | { readonly tensor: onnxProto.onnx.ITensorProto };

/** What goes into the ModelProto besides the graph. */
export interface ModelMetadata {
  readonly docString?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Assembles one ONNX graph node by node and encodes it as a ModelProto (opset ONNX_OPSET,
 * IR ONNX_IR_VERSION). Names of intermediate values are generated, so graph-building code reads
 * as a chain of operator calls. Initializers hold float/double data as little-endian `raw_data`.
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(private readonly graphName: string) {}

  input(name: string, type: ElementType, shape: readonly Dimension[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares `value` (a name already produced by a node) as a graph output. */
  output(value: string, type: ElementType, shape: readonly Dimension[]): void {
    if (!this.names.has(value)) throw new ExportError(`graph output ${value} is not produced by the graph`);
    this.outputs.push(valueInfo(value, type, shape));
  }

  /** A float32 initializer, stored as raw little-endian bytes. */
  floats(name: string, values: Readonly<Float32Array>, shape: readonly number[]): string {
    return this.tensor(name, ELEMENT_TYPES.float, shape, values.length, { rawData: toLittleEndianBytes(values) });
  }

  /**
   * A float16 initializer of the bit patterns `halves` (float32ToFloat16), stored as raw
   * little-endian bytes: half the bytes of `floats`, for graphs that Cast it to float.
   */
  halves(name: string, halves: Readonly<Uint16Array>, shape: readonly number[]): string {
    return this.tensor(name, ELEMENT_TYPES.float16, shape, halves.length, { rawData: toLittleEndianBytes(halves) });
  }

  /** A float64 initializer, stored as raw little-endian bytes. */
  doubles(name: string, values: Readonly<Float64Array>, shape: readonly number[]): string {
    return this.tensor(name, ELEMENT_TYPES.double, shape, values.length, { rawData: toLittleEndianBytes(values) });
  }

  /** An int64 initializer (small constants: axes, shapes, indices). */
  int64s(name: string, values: readonly number[], shape: readonly number[]): string {
    return this.tensor(name, ELEMENT_TYPES.int64, shape, values.length, { int64Data: [...values] });
  }

  /**
   * Appends one node and returns the names of its outputs (`outputs` of them, generated from
   * `label` when not given).
   */
  node(
    op: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    outputs: number | readonly string[] = 1,
    label = op.toLowerCase(),
  ): string[] {
    for (const input of inputs) {
      // '' marks an omitted optional input in ONNX.
      if (input !== '' && !this.names.has(input)) throw new ExportError(`${op} reads ${input} before it is defined`);
    }
    const outputNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.fresh(`${label}${i === 0 ? '' : `_${i}`}`))
        : [...outputs];
    for (const name of outputNames) this.claim(name);
    this.nodes.push({
      name: `${op}_${this.nodes.length}`,
      opType: op,
      input: [...inputs],
      output: outputNames,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputNames;
  }

  /** Appends a single-output node and returns that output's name. */
  op(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, output?: string): string {
    return this.node(op, inputs, attributes, output === undefined ? 1 : [output])[0];
  }

  /** Encodes the graph as an ONNX ModelProto. */
  build(metadata: ModelMetadata = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: ONNX_PRODUCER_NAME,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      docString: metadata.docString ?? '',
      metadataProps: Object.entries(metadata.properties ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private tensor(
    name: string,
    dataType: number,
    shape: readonly number[],
    count: number,
    data: Pick<onnxProto.onnx.ITensorProto, 'rawData' | 'int64Data'>,
  ): string {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (expected !== count)
      throw new ExportError(`initializer ${name}: shape [${shape.join(', ')}] needs ${expected} values, got ${count}`);
    this.claim(name);
    this.initializers.push({ name, dataType, dims: [...shape], ...data });
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new ExportError(`graph value ${name} is defined twice`);
    this.names.add(name);
  }

  private fresh(label: string): string {
    let name: string;
    do name = `${label}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }
}

function valueInfo(name: string, type: ElementType, shape: readonly Dimension[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new ExportError(`attribute ${name}: ${value} is not an integer (use { float })`);
    return { name, type: types.INT, i: value };
  }
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  if ('tensor' in value) return { name, type: types.TENSOR, t: value.tensor };
  return { name, type: types.INTS, ints: [...value] };
}
