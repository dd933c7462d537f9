#!/usr/bin/env node
// Times ONNX Runtime's CPU provider on an ONNX model, with the same inputs
// slmc-run --bench makes: input_ids zeros, attention_mask ones, position_ids
// past..past+seq-1, past KV random in [-1, 1).
//
//   node ort-bench.js MODEL.onnx [--seq S] [--past P] [--iters N] [--threads T]
//
// Prints one JSON object: {"median_ms", "min_ms", "max_ms", "session_s", ...}.
'use strict';
const path = require('path');
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error('ort-bench: onnxruntime-node is missing; run ' +
                '`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30.0` in bench/');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {seq: 1, past: 0, iters: 5, warmup: 1, threads: 1};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a.startsWith('--')) args[a.slice(2)] = Number(argv[++i]);
    else args.model = a;
  }
  if (!args.model) {
    console.error('usage: ort-bench.js MODEL.onnx [--seq S] [--past P] [--iters N] [--threads T]');
    process.exit(2);
  }
  return args;
}

// Deterministic pseudo-random floats (xorshift32), so runs are comparable.
function randomFloats(n, seed) {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; ++i) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = (x / 4294967296) * 2 - 1;
  }
  return out;
}

function makeInputs(session, seq, past) {
  const feeds = {};
  session.inputNames.forEach((name, k) => {
    const meta = session.inputMetadata ? session.inputMetadata[k] : null;
    const shape = (meta && meta.shape) ? meta.shape : [];
    if (name === 'input_ids') {
      feeds[name] = new ort.Tensor('int64', new BigInt64Array(seq), [1, seq]);
    } else if (name === 'attention_mask') {
      feeds[name] = new ort.Tensor('int64', new BigInt64Array(past + seq).fill(1n), [1, past + seq]);
    } else if (name === 'position_ids') {
      const ids = new BigInt64Array(seq);
      for (let i = 0; i < seq; ++i) ids[i] = BigInt(past + i);
      feeds[name] = new ort.Tensor('int64', ids, [1, seq]);
    } else if (name.startsWith('past')) {
      // [batch, kv_heads, past, head_dim] with static kv_heads/head_dim.
      const dims = [1, shape[1], past, shape[3]];
      const n = dims.reduce((a, b) => a * b, 1);
      feeds[name] = new ort.Tensor('float32', randomFloats(n, k + 1), dims);
    } else {
      throw new Error('ort-bench: do not know how to fill input ' + name);
    }
  });
  return feeds;
}

(async () => {
  const args = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(path.resolve(args.model), {
    graphOptimizationLevel: 'all', intraOpNumThreads: args.threads, interOpNumThreads: 1,
    executionMode: 'sequential'});
  const sessionSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const feeds = makeInputs(session, args.seq, args.past);
  for (let i = 0; i < args.warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < args.iters; ++i) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    system: 'onnxruntime-node ' + (ort.env.versions ? ort.env.versions.common : ''),
    model: args.model, seq: args.seq, past: args.past, threads: args.threads,
    iters: args.iters, median_ms: times[Math.floor(times.length / 2)],
    min_ms: times[0], max_ms: times[times.length - 1], session_s: sessionSeconds}));
})().catch((e) => { console.error('ort-bench: ' + e.message); process.exit(1); });
