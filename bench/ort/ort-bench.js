#!/usr/bin/env node
// Times ONNX Runtime's CPU provider on an ONNX model, with the same inputs
// slmc-run --bench makes: input_ids zeros, attention_mask ones, position_ids
// past..past+seq-1, past KV random in [-1, 1).
//
//   node ort-bench.js MODEL.onnx [--seq S] [--past P] [--iters N] [--threads T]
//
// Prints one JSON object: {"median_ms", "min_ms", "max_ms", "session_s", ...}.
//
//   node ort-bench.js MODEL.onnx --serve [--threads T]
//
// Keeps one session (creating one for a 1B model takes many seconds) and
// answers JSON commands on stdin, one JSON line each on stdout (bench.py):
//   {"cmd": "run", "seq": S, "past": P, "warmup": W, "iters": N}
//       -> {"ms": [...], "warmup_ms": [...]}
//   {"cmd": "check", "dir": D}: runs the inputs in D/raw.json (raw files
//       written by bench/torch/llama_torch.py) and compares the logits
//       -> {"max_abs": x, "max_abs_ref": y}
//   {"cmd": "stats"} -> {"max_rss_kb": n}
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
  const args = {seq: 1, past: 0, iters: 5, warmup: 1, threads: 1, serve: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--serve') args.serve = true;
    else if (a.startsWith('--')) args[a.slice(2)] = Number(argv[++i]);
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

async function timeRuns(session, feeds, warmup, iters) {
  const times = [];
  for (let i = 0; i < warmup + iters; ++i) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return {warmup_ms: times.slice(0, warmup), ms: times.slice(warmup)};
}

// Feeds from raw little-endian files described by DIR/raw.json; the graph's
// inputs pick what they need by name.
async function check(session, dir) {
  const fs = require('fs');
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'raw.json'), 'utf8'));
  const feeds = {};
  for (const t of raw.inputs) {
    if (!session.inputNames.includes(t.name)) continue;
    const buf = fs.readFileSync(path.join(dir, t.file));
    const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const data = t.dtype === 'int64' ? new BigInt64Array(bytes) : new Float32Array(bytes);
    feeds[t.name] = new ort.Tensor(t.dtype === 'int64' ? 'int64' : 'float32', data, t.dims);
  }
  const out = await session.run(feeds);
  const got = out.logits.data;
  const buf = fs.readFileSync(path.join(dir, raw.logits.file));
  const want = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (got.length !== want.length)
    return {error: 'logits have ' + got.length + ' elements, expected ' + want.length};
  let maxAbs = 0, maxRef = 0;
  for (let i = 0; i < got.length; ++i) {
    maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  return {max_abs: maxAbs, max_abs_ref: maxRef};
}

async function serve(session, sessionSeconds, threads) {
  const version = 'onnxruntime-node ' + (ort.env.versions ? ort.env.versions.common : '');
  console.log(JSON.stringify({ready: true, load_s: sessionSeconds, version, threads}));
  const rl = require('readline').createInterface({input: process.stdin});
  let key = null, feeds = null;
  for await (const line of rl) {
    let reply;
    try {
      const cmd = JSON.parse(line);
      if (cmd.cmd === 'run') {
        if (key !== cmd.seq + ',' + cmd.past) {
          key = cmd.seq + ',' + cmd.past;
          feeds = makeInputs(session, cmd.seq, cmd.past);
        }
        reply = await timeRuns(session, feeds, cmd.warmup || 0, cmd.iters || 1);
      } else if (cmd.cmd === 'check') {
        reply = await check(session, cmd.dir);
      } else if (cmd.cmd === 'stats') {
        reply = {max_rss_kb: process.resourceUsage().maxRSS};
      } else {
        reply = {error: 'unknown command ' + cmd.cmd};
      }
    } catch (e) {
      reply = {error: e.message};
    }
    console.log(JSON.stringify(reply));
  }
}

(async () => {
  const args = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(path.resolve(args.model), {
    graphOptimizationLevel: 'all', intraOpNumThreads: args.threads, interOpNumThreads: 1,
    executionMode: 'sequential'});
  const sessionSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (args.serve) return serve(session, sessionSeconds, args.threads);
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
