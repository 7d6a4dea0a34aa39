import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of the job engine; the worker serves `registry` on /metrics. */
export class EngineMetrics {
  readonly registry: Registry;
  readonly submitted: Counter<'server'>;
  readonly completed: Counter<'server'>;
  readonly failed: Counter<'reason'>;
  readonly retries: Counter<'reason'>;
  readonly duration: Histogram<never>;
  readonly inFlight: Gauge<'server'>;
  readonly queueDepth: Gauge<never>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.submitted = new Counter({ name: 'kiln_jobs_submitted_total', help: 'Prompts posted to ComfyUI', labelNames: ['server'], registers: [registry] });
    this.completed = new Counter({ name: 'kiln_jobs_completed_total', help: 'Jobs whose image is on disk and recorded', labelNames: ['server'], registers: [registry] });
    this.failed = new Counter({ name: 'kiln_jobs_failed_total', help: 'Jobs failed for good', labelNames: ['reason'], registers: [registry] });
    this.retries = new Counter({ name: 'kiln_job_retries_total', help: 'Attempts scheduled again after a transient failure or a lost prompt', labelNames: ['reason'], registers: [registry] });
    this.duration = new Histogram({
      name: 'kiln_job_duration_seconds',
      help: 'From first submission to the image recorded',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.inFlight = new Gauge({ name: 'kiln_jobs_in_flight', help: 'Prompts submitted or running, per server', labelNames: ['server'], registers: [registry] });
    this.queueDepth = new Gauge({ name: 'kiln_jobs_pending', help: 'Jobs waiting to be submitted', registers: [registry] });
  }

  /** The figures worth a periodic log line. */
  async summary(): Promise<Record<string, number | undefined>> {
    return {
      successRate: await this.successRate(),
      completed: await sumOf(this.completed),
      failed: await sumOf(this.failed),
      retries: await sumOf(this.retries),
      inFlight: (await this.inFlight.get()).values.reduce((sum, v) => sum + v.value, 0),
      pending: (await this.queueDepth.get()).values[0]?.value,
    };
  }

  /** completed / (completed + failed) so far, or undefined before the first outcome. */
  async successRate(): Promise<number | undefined> {
    const done = await sumOf(this.completed);
    const failed = await sumOf(this.failed);
    return done + failed === 0 ? undefined : done / (done + failed);
  }
}

async function sumOf(metric: Counter<string>): Promise<number> {
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}
