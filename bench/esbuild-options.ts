import fs from 'node:fs';
import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import YAML from 'yaml';

// Keys of custom.esbuild that belong to serverless-esbuild, not to esbuild
// (the plugin strips the same ones before calling esbuild).
const PLUGIN_ONLY_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
];

export interface DeployBuild {
  /** esbuild options exactly as serverless-esbuild passes them (without entry points and output). */
  esbuild: BuildOptions;
  /** NODE_OPTIONS of the deployed functions (provider.environment). */
  nodeOptions: string;
}

/**
 * The build of the deployed handlers, read from serverless.yml so the bench
 * never drifts from it: custom.esbuild (bundle, minify, target, platform,
 * format, banner and define shim) and provider.environment.NODE_OPTIONS.
 */
export function readDeployBuild(root: string): DeployBuild {
  const doc = YAML.parse(fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    custom?: { esbuild?: Record<string, unknown> };
    provider?: { environment?: Record<string, unknown> };
  };
  const custom = doc.custom?.esbuild;
  if (!custom) throw new Error('serverless.yml has no custom.esbuild');
  const options: Record<string, unknown> = { ...custom };
  for (const key of PLUGIN_ONLY_KEYS) delete options[key];
  // A value serverless resolves at package time (e.g. sourcemap from a deploy parameter): the deployed default, none.
  for (const [key, value] of Object.entries(options)) if (typeof value === 'string' && value.includes('${')) delete options[key];
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : [];
  const external = Array.isArray(custom.external) ? (custom.external as string[]) : [];
  options.external = [...external, ...(exclude.includes('*') ? [] : exclude)];
  return {
    esbuild: options as BuildOptions,
    nodeOptions: String(doc.provider?.environment?.NODE_OPTIONS ?? ''),
  };
}
