import { reportBenchFailure } from './bench-failure.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { treeCpuSeconds, reapedChildrenCpuSeconds } from './cpu-meter.js';
import { renderDeployReport, type CpuSeconds, type DeployBenchRun } from './deploy-bench-report.js';
import { startDeployRig, type DeployRig } from './deploy-rig.js';
import { runDeployScript, writeStageDotenvs } from './deploy-script.js';
import { createDeployWorld, FLEET, HEALTH, STAGES, type DeployWorld } from './deploy-world.js';
import { renderMultihost, stepsByKind, type MultihostRound } from './multihost-report.js';
import { createSshCounter } from './ssh-counter.js';
import { closeMasters, measureRoundTrips, multiplexingOptions } from './ssh-multiplexing.js';
import { Teardown } from './teardown.js';

/**
 * Wall time of a two-stage deploy through ops' deployPipeline workflow against the bash script a
 * user would write for the same steps (git archive, ssh, rsync, compose, health gate, smoke), both
 * over real ssh to a local sshd with the docker stand-in, each deploying a fresh commit. Then, in
 * the same process and worker, the same app's prod stage (one host) against its fleet stage (three
 * hosts on three sshds, switched at once), each deployed alone: `multihost_ratio=`.
 * Usage: tsx bench/deploy-bench.ts [--repeat N] [--ssh-mux]
 *   --ssh-mux  both deploys share ssh connections (ControlMaster via the config's ssh.options)
 */
const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, 'ssh-mux': { type: 'boolean', default: false } } });
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`--repeat: expected a positive integer, got "${values.repeat}"`);
  process.exit(2);
}
const sshMux = values['ssh-mux']!;

const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);

const loadAtStart = loadavg()[0]!;

/** Every deploy's ssh sessions, the stand-in's build/up calls and the smoke run end up in one of these trees. */
function cpuMeter(world: DeployWorld, rig: DeployRig): () => CpuSeconds {
  return () => {
    const own = process.cpuUsage();
    return {
      bench: (own.user + own.system) / 1e6,
      script: reapedChildrenCpuSeconds(process.pid),
      worker: treeCpuSeconds(rig.pids.worker),
      temporal: treeCpuSeconds(rig.pids.temporal),
      sshd: treeCpuSeconds(world.sshdPid),
    };
  };
}

function cpuSince(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof CpuSeconds]])) as unknown as CpuSeconds;
}

/** Every URL answers /health with the release just deployed: no side is timed on a deploy that did not happen. */
async function assertServing(baseUrls: string[], sha: string, who: string): Promise<void> {
  for (const baseUrl of baseUrls) {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { release?: string };
    if (response.status !== 200 || body.release !== sha) throw new Error(`${who}: ${baseUrl} serves ${body.release ?? 'nothing'} (HTTP ${response.status}), expected ${sha}`);
  }
}

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-deploy-bench-'));
  teardown.defer('remove temp dir', () => rm(root, { recursive: true, force: true }));
  const controlDir = join(root, 'ssh-control');
  const probeControlDir = join(root, 'ssh-probe');
  await mkdir(controlDir, { mode: 0o700 });

  const world = await createDeployWorld(root, sshMux ? multiplexingOptions(controlDir) : [], teardown, log);
  teardown.defer('close ssh masters', async () => {
    for (const dir of [controlDir, probeControlDir]) await closeMasters(dir, world.baseSsh, world.sshHost);
  });
  const ssh = await createSshCounter(join(root, 'ssh-counter'), [`${world.sshHost.user}@${world.sshHost.host}`, world.sshHost.host]);
  const workerSshLog = join(root, 'ssh-counter', 'worker.log');
  const rig = await startDeployRig(world, ssh.env(workerSshLog), teardown, log);
  const dotenv = await writeStageDotenvs(world.config, world.app, join(root, 'script-env'));
  const cpuNow = cpuMeter(world, rig);

  let deploys = 0;
  const newCommit = (who: string) => world.repo.commit(`bench deploy ${++deploys} (${who})`, { BENCH_DEPLOY: `${deploys} ${who}\n` });
  const deployBare = async (): Promise<DeployBenchRun['bare']> => {
    const sha = await newCommit('bare script');
    const sshLog = join(root, 'ssh-counter', `script-${deploys}.log`);
    const before = cpuNow();
    const run = await runDeployScript({ config: world.config, app: world.app, sha, workDir: root, dotenv, env: ssh.env(sshLog) });
    const cpu = cpuSince(before, cpuNow());
    await assertServing(STAGES.map((stage) => world.stages[stage].baseUrl), sha, 'bare script');
    return { ...run, cpu, sshConnections: await ssh.read(sshLog) };
  };
  let workerConnections = 0;
  const deployWorkflow = async (): Promise<DeployBenchRun['workflow']> => {
    const sha = await newCommit('workflow');
    const before = cpuNow();
    const run = await rig.run(sha);
    const cpu = cpuSince(before, cpuNow());
    await assertServing(STAGES.map((stage) => world.stages[stage].baseUrl), sha, 'workflow');
    const connections = (await ssh.read(workerSshLog)).slice(workerConnections);
    workerConnections += connections.length;
    return { ...run, cpu, sshConnections: connections };
  };

  // Every timed deploy then replaces a running release, and the worker has run each activity once.
  log('warm-up: bare script, then workflow (not timed)');
  const warmup = { bare: (await deployBare()).total, workflow: (await deployWorkflow()).total };

  const runs: DeployBenchRun[] = [];
  for (let round = 1; round <= repeat; round++) {
    const bareFirst = round % 2 === 1;
    log(`run ${round}/${repeat}: ${bareFirst ? 'bare script, then workflow' : 'workflow, then bare script'}`);
    let bare: DeployBenchRun['bare'];
    let workflow: DeployBenchRun['workflow'];
    if (bareFirst) {
      bare = await deployBare();
      workflow = await deployWorkflow();
    } else {
      workflow = await deployWorkflow();
      bare = await deployBare();
    }
    log(`run ${round}/${repeat}: bare ${bare.total.toFixed(2)} s, workflow ${workflow.total.toFixed(2)} s`);
    runs.push({ bare, workflow, bareFirst });
  }

  // One stage deployed alone, through the same worker: prod's one host, or the fleet's three.
  const deployAlone = async (stage: string, baseUrls: string[]) => {
    const sha = await newCommit(stage);
    const run = await rig.run(sha, stage);
    await assertServing(baseUrls, sha, `workflow, ${stage} alone`);
    const connections = (await ssh.read(workerSshLog)).slice(workerConnections);
    workerConnections += connections.length;
    return { wall: run.stageWalls.get(stage)!, ssh: connections.length, steps: stepsByKind(run.steps, stage, FLEET.hosts) };
  };
  const single = () => deployAlone('prod', [world.stages.prod.baseUrl]);
  const multi = () => deployAlone(FLEET.stage, world.fleet.map((h) => h.baseUrl));
  log(`multi-host warm-up: ${FLEET.stage}'s first deploy (not timed)`);
  await multi();
  const multihost: MultihostRound[] = [];
  for (let round = 1; round <= repeat; round++) {
    const singleFirst = round % 2 === 1;
    let one: Awaited<ReturnType<typeof single>>;
    let three: Awaited<ReturnType<typeof multi>>;
    if (singleFirst) {
      one = await single();
      three = await multi();
    } else {
      three = await multi();
      one = await single();
    }
    log(`multi-host run ${round}/${repeat}: 1 host ${one.wall.toFixed(2)} s, ${FLEET.hosts.length} hosts ${three.wall.toFixed(2)} s`);
    multihost.push({ single: one.wall, multi: three.wall, singleFirst, sshSingle: one.ssh, sshMulti: three.ssh, stepsSingle: one.steps, stepsMulti: three.steps });
  }

  log('measuring ssh round trips');
  const roundTrips = await measureRoundTrips(world.baseSsh, world.sshHost, probeControlDir);
  const loadAtEnd = loadavg()[0]!;

  await teardown.run(log);
  const lines = renderDeployReport({
    target: `${world.sshHost.host}:${world.sshHost.port}`,
    health: { intervalSeconds: HEALTH.intervalSeconds, stableSeconds: HEALTH.stableSeconds },
    sshMultiplexing: sshMux,
    runs,
    warmup,
    startupSeconds: rig.startupSeconds,
    roundTrips,
    load: { cpus: availableParallelism(), start: loadAtStart, end: loadAtEnd },
  });
  // deploy_overhead_ratio stays the last line, which scripts read.
  console.log([...renderMultihost(multihost, { single: 'prod', multi: FLEET.stage, hosts: FLEET.hosts.length, parallel: FLEET.parallel }), '', ...lines].join('\n'));
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
