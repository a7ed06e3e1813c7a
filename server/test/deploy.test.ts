import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildProgram } from '../src/cli/program.js';
import { CONFIG_VARIABLES } from '../src/platform/config.js';
import { startTestApp, type TestApp } from './support/app.js';
import { REPO } from './support/cluster.js';
import { freePort } from './support/own-postgres.js';

/**
 * The deployment files, checked without a container engine (none here): the compose file's
 * services, health checks and start order, every variable it sets known to the server, its nginx
 * rewrite run for real on deploy/nginx.conf, and the image's health check run against a server.
 */
const run = promisify(execFile);
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

interface Service {
  image?: string;
  command?: string[] | string;
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}
const compose = parse(read('deploy/compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = read('deploy/Dockerfile');

describe('deploy/compose.yml', () => {
  it('runs PostgreSQL, Redis, the migration, three app instances, a worker and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'migrate', 'nginx', 'postgres', 'redis', 'worker']);
    expect(services.app!.deploy?.replicas).toBe(3);
    expect(services.app!.command).toEqual(['serve']);
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(services.migrate!.restart).toBe('no');
    expect(services.worker!.environment?.WORKERS).toBe('true');
    expect(services.app!.environment?.WORKERS).toBe('false');
  });

  it('gives every long-running service a health check, and starts each after what it needs is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') {
        expect(service.healthcheck?.disable).toBe(true);
        continue;
      }
      expect(service.healthcheck?.test?.length, `${name} health check`).toBeGreaterThan(1);
      // No curl in the images: node, pg_isready, redis-cli, busybox wget.
      expect(JSON.stringify(service.healthcheck?.test)).not.toContain('curl');
    }
    const needs = (name: string) =>
      Object.fromEntries(Object.entries(services[name]!.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
    expect(needs('migrate')).toEqual({ postgres: 'service_healthy' });
    for (const name of ['app', 'worker']) {
      expect(needs(name)).toEqual({ migrate: 'service_completed_successfully', redis: 'service_healthy' });
    }
    expect(needs('nginx')).toEqual({ app: 'service_healthy' });
    // Whatever is waited on as healthy has a health check to be healthy by.
    for (const service of Object.values(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition === 'service_healthy') expect(services[target]!.healthcheck?.disable).not.toBe(true);
      }
    }
  });

  it('sets only variables the server reads, production-safe, every required secret in the example env', () => {
    for (const name of ['app', 'worker', 'migrate']) {
      const env = services[name]!.environment ?? {};
      expect(
        Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k)),
        name,
      ).toEqual([]);
      expect(env.NODE_ENV).toBe('production');
      expect(env.TRUST_PROXY).toBe('true');
    }
    const required = [...read('deploy/compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    const example = read('deploy/compose.env.example');
    for (const name of new Set(required)) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('points deploy/nginx.conf at the app service with the very sed its command runs', async () => {
    const command = services.nginx!.command as string[];
    const script = command[2]!;
    const sed = script.slice(0, script.indexOf('/etc/nginx/abrik.conf.in')).trim();
    const { stdout } = await run('sh', ['-c', `${sed} ${join(REPO, 'deploy/nginx.conf')}`]);
    const upstreams = [...stdout.matchAll(/upstream (\w+) \{([^}]*)\}/g)].map((m) => ({
      name: m[1],
      servers: [...m[2]!.matchAll(/^\s*server (\S+)/gm)].map((s) => s[1]),
    }));
    expect(upstreams.map((u) => u.name).sort()).toEqual(['abrik_api', 'abrik_realtime']);
    for (const upstream of upstreams) expect(upstream.servers).toEqual(['app:3000']);
    expect(stdout).toMatch(/^user nginx;/m);
    expect(stdout).not.toContain('127.0.0.1:300');
  });
});

describe('deploy/Dockerfile', () => {
  it('builds on Node 24, runs as a non-root user with node as PID 1, has tzdata and a health check without curl', () => {
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual([
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
    ]);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('ENTRYPOINT'));
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "server\/bin\/abrik\.js"\]$/m);
    expect(runtime).toMatch(/^CMD \["serve"\]$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).toMatch(/install -y --no-install-recommends tzdata/);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "-e", /m);
    expect(dockerfile).not.toMatch(/\bcurl\b/);
  });
});

describe('the health check of the image and the compose services', () => {
  let app: TestApp;
  const healthScripts = () => {
    const fromCompose = services.app!.healthcheck!.test!.at(-1)!;
    const line = /CMD \["node", "-e", "(.*)"\]$/m.exec(dockerfile)![1]!;
    const fromImage = JSON.parse(`"${line}"`) as string;
    return { fromCompose, fromImage };
  };

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is the same script in both, and passes against a ready server, fails against none', async () => {
    const { fromCompose, fromImage } = healthScripts();
    expect(fromImage).toBe(fromCompose);
    const port = new URL(app.url).port;
    const check = (p: string) =>
      run(process.execPath, ['-e', fromImage], { env: { PATH: process.env.PATH ?? '', PORT: p } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    expect(await check(port)).toBe(0);
    expect(await check(String(await freePort()))).toBe(1);
  });
});

// ---- Kubernetes ---------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  /** Checked field by field below. */
  spec?: any;
  data?: Record<string, string>;
}

const K8S_DIR = join(REPO, 'deploy/k8s');
const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
const manifests: { file: string; object: K8sObject }[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((doc) => ({
    file,
    object: doc.toJS() as K8sObject,
  })),
);
const ofKind = (kind: string) => manifests.map((m) => m.object).filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s', () => {
  it('lists every manifest file in its kustomization', () => {
    expect(
      readdirSync(K8S_DIR)
        .filter((f) => f !== 'kustomization.yaml')
        .sort(),
    ).toEqual([...kustomization.resources].sort());
  });

  it('validates against the Kubernetes schemas', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    for (const { file, object } of manifests) {
      const models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
        string,
        new (
          data: unknown,
        ) => { validate(): void }
      >;
      const Model = models[object.kind];
      expect(Model, `${file}: ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(
        () => new Model!(object).validate(),
        `${file}: ${object.kind} ${object.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('gives every Deployment probes on the health endpoints, a drain that fits its grace, a locked-down container and a PDB', () => {
    const config = ofKind('ConfigMap').find((c) => c.metadata.name === 'abrik')!.data!;
    const shutdownSeconds = Number(config.SHUTDOWN_TIMEOUT_MS) / 1000;
    const budgets = ofKind('PodDisruptionBudget');
    const commands = buildProgram().commands.map((c) => c.name());
    expect(
      ofKind('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['abrik', 'abrik-worker']);
    for (const deployment of ofKind('Deployment')) {
      const name = deployment.metadata.name;
      const pod = deployment.spec.template;
      expect(matches(deployment.spec.selector.matchLabels, pod.metadata.labels), name).toBe(true);
      expect(pod.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of pod.spec.containers) {
        expect(commands).toContain(container.args[0]);
        expect(container.startupProbe.httpGet.path, name).toBe('/health/live');
        expect(container.livenessProbe.httpGet.path, name).toBe('/health/live');
        expect(container.readinessProbe.httpGet.path, name).toBe('/health/ready');
        const preStop = container.lifecycle.preStop.exec.command as string[];
        expect(preStop[0]).toBe('sleep');
        expect(pod.spec.terminationGracePeriodSeconds, name).toBeGreaterThan(
          Number(preStop[1]) + shutdownSeconds,
        );
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        // A read-only root: what the server writes has a volume.
        const mounted = container.volumeMounts.map((v: { mountPath: string }) => v.mountPath);
        expect(mounted).toEqual(expect.arrayContaining([config.DATA_DIR, '/tmp']));
      }
      const budget = budgets.find((b) => matches(b.spec.selector.matchLabels, pod.metadata.labels));
      expect(budget, `a PodDisruptionBudget selecting ${name}`).toBeDefined();
    }
  });

  it('wires the pieces together: known variables, the migration, the Service, the Ingress, the autoscaler', () => {
    const config = ofKind('ConfigMap').find((c) => c.metadata.name === 'abrik')!.data!;
    expect(Object.keys(config).filter((k) => !CONFIG_VARIABLES.includes(k))).toEqual([]);
    expect(config.NODE_ENV).toBe('production');
    const [job] = ofKind('Job');
    expect(job!.spec.template.spec.containers[0].args).toEqual(['migrate']);
    const app = ofKind('Deployment').find((d) => d.metadata.name === 'abrik')!;
    const [service] = ofKind('Service');
    expect(matches(service!.spec.selector, app.spec.template.metadata.labels)).toBe(true);
    const portNames = app.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name);
    expect(portNames).toContain(service!.spec.ports[0].targetPort);
    const [ingress] = ofKind('Ingress');
    expect(ingress!.spec.rules[0].http.paths[0].backend.service.name).toBe(service!.metadata.name);
    expect(
      Number(ingress!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThan(60);
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(hpa!.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'abrik' });
    expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});
