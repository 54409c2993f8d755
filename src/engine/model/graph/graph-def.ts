/**
 * A TensorFlow graph written node by node and saved as a SavedModel that tfjs-node's native
 * backend loads into a session (`loadSavedModelMetaGraph`) and runs in one call
 * (`runSavedModel`). The protobuf classes are tfjs-node's own (`dist/proto/api_pb`, generated
 * from TensorFlow's graph.proto, node_def.proto, attr_value.proto, meta_graph.proto and
 * saved_model.proto), so nothing here encodes protobuf by hand.
 *
 * Why a graph: eager tfjs dispatches every op through N-API and TFE one at a time; a session runs
 * the same ops from one call with TensorFlow's graph executor. For the LSTM head's small
 * matrices the dispatch, not the arithmetic, was the step's time (bench/profile/step.ts).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const requireCjs = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- google-protobuf's generated classes are untyped JS. */
const pb: any = requireCjs('@tensorflow/tfjs-node/dist/proto/api_pb');

/** TensorFlow's DataType enum (types.proto). */
export const DT = { float: 1, int32: 3, int64: 9, bool: 10 } as const;
export type DataType = (typeof DT)[keyof typeof DT];

/** An attribute value: a dtype, an int, a float, a bool, a string, a list of ints, or a constant tensor. */
export type Attr =
  | { type: DataType }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { ints: number[] }
  | { tensor: { dtype: DataType; shape: number[]; values: number[] } };

function attrValue(a: Attr): any {
  const v = new pb.AttrValue();
  if ('type' in a) v.setType(a.type);
  else if ('i' in a) v.setI(a.i);
  else if ('f' in a) v.setF(a.f);
  else if ('b' in a) v.setB(a.b);
  else if ('s' in a) v.setS(new TextEncoder().encode(a.s));
  else if ('ints' in a) {
    const list = new pb.AttrValue.ListValue();
    list.setIList(a.ints);
    v.setList(list);
  } else {
    const t = new pb.Tensor();
    t.setDtype(a.tensor.dtype);
    const shape = new pb.TensorShape();
    for (const size of a.tensor.shape) {
      const dim = new pb.TensorShape.Dim();
      dim.setSize(size);
      shape.addDim(dim);
    }
    t.setTensorShape(shape);
    // One value with a larger shape fills it (TensorProto's documented broadcast of a single value).
    if (a.tensor.dtype === DT.float) t.setFloatValList(a.tensor.values);
    else t.setIntValList(a.tensor.values);
    v.setTensor(t);
  }
  return v;
}

/** GraphDef producer version: TensorFlow 2.x graphs (any recent value is read by TF ≥ 2.4). */
const PRODUCER = 1205;

export class GraphBuilder {
  private readonly graph = new pb.GraphDef();
  private readonly names = new Set<string>();

  /** Adds a node and returns its name (an op's first output; `${name}:k` for output k). */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    let unique = name ?? op;
    for (let k = 1; this.names.has(unique); k++) unique = `${name ?? op}_${k}`;
    this.names.add(unique);
    const node = new pb.NodeDef();
    node.setName(unique);
    node.setOp(op);
    for (const input of inputs) node.addInput(input);
    for (const [key, value] of Object.entries(attrs)) node.getAttrMap().set(key, attrValue(value));
    this.graph.addNode(node);
    return unique;
  }

  /** A graph input of unknown shape, fed by name at each run. */
  input(name: string, dtype: DataType): string {
    if (this.names.has(name)) throw new Error(`graph input ${name} is defined twice`);
    return this.op('Placeholder', [], { dtype: { type: dtype } }, name);
  }

  floatConst(values: number | number[], shape: number[] = []): string {
    const list = typeof values === 'number' ? [values] : values;
    return this.op('Const', [], {
      dtype: { type: DT.float },
      value: { tensor: { dtype: DT.float, shape, values: list } },
    });
  }

  intConst(values: number | number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    return this.op('Const', [], {
      dtype: { type: DT.int32 },
      value: {
        tensor: { dtype: DT.int32, shape: typeof values === 'number' ? [] : [list.length], values: list },
      },
    });
  }

  /** The graph as a SavedModel (tag `serve`, no variables) in `dir`. */
  writeSavedModel(dir: string): void {
    const versions = new pb.VersionDef();
    versions.setProducer(PRODUCER);
    this.graph.setVersions(versions);
    const info = new pb.MetaGraphDef.MetaInfoDef();
    info.addTags('serve');
    const meta = new pb.MetaGraphDef();
    meta.setMetaInfoDef(info);
    meta.setGraphDef(this.graph);
    const saved = new pb.SavedModel();
    saved.setSavedModelSchemaVersion(1);
    saved.addMetaGraphs(meta);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), saved.serializeBinary());
  }
}
