import path from 'node:path';
import { z } from 'zod';
import { LANGS } from './core/vocabulary';
import { projectRoot } from './paths';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  HOSO_DATA_DIR: z.string().min(1).default(path.join(projectRoot, 'data')),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  HOSO_MAX_UPLOAD_MB: z.coerce.number().positive().max(10_240).default(50),
  HOSO_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  HOSO_LANG: z.enum(LANGS).default('vi'),
  HOSO_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  HOSO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOSO_CLAMSCAN: z.string().min(1).optional(),
  HOSO_CLAMSCAN_ARGS: z.string().default(''),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** `sqlite:<path>` (default `sqlite:<dataDir>/hoso.db`) or a `postgres://` URL. */
  readonly databaseUrl: string;
  readonly filesDir: string;
  readonly maxUploadBytes: number;
  readonly adminPassword: string | undefined;
  readonly defaultLang: 'vi' | 'en';
  readonly trustProxy: boolean;
  readonly logLevel: z.infer<typeof EnvSchema>['HOSO_LOG_LEVEL'];
  /** clamscan or clamdscan (path and extra arguments) that checks every upload before it is kept; null: no scan. */
  readonly virusScanner: { readonly command: string; readonly args: readonly string[] } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once; a bad variable stops start-up with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.HOSO_DATA_DIR);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'hoso.db')}`,
    filesDir: path.join(dataDir, 'files'),
    maxUploadBytes: Math.round(e.HOSO_MAX_UPLOAD_MB * 1024 * 1024),
    adminPassword: e.HOSO_ADMIN_PASSWORD,
    defaultLang: e.HOSO_LANG,
    trustProxy: e.HOSO_TRUST_PROXY,
    logLevel: e.HOSO_LOG_LEVEL,
    virusScanner: e.HOSO_CLAMSCAN ? { command: e.HOSO_CLAMSCAN, args: e.HOSO_CLAMSCAN_ARGS.split(/\s+/).filter(Boolean) } : null,
    ...overrides,
  });
}
