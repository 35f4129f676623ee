export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
}

export interface EmbeddedPostgresOptions {
  baseDir: string;
  port?: number;
  persistent?: boolean;
  log?: (line: string) => void;
  postgresFlags?: string[];
}

export function findFreePort(): Promise<number>;
export function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle>;
export function makeTempBaseDir(prefix?: string): string;
