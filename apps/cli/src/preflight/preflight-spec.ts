import { describeProblem, preflightSteps, type StepPreflight } from '@kiln/comfyui';
import type { ResolvedStep } from '@kiln/job-orchestration';
import { redactUrl } from '@kiln/settings';
import type { ComfyUiSession } from '../comfyui/comfyui-session';
import { CliError } from '../errors';
import type { Reporter } from '../output/reporter';

/**
 * Checks every workflow the steps will submit against every server's `/object_info`, the way
 * ComfyUI validates a prompt. A workflow no server can run fails the command (exit 2) with every
 * problem at once, per item and server, before anything is queued; one that only some servers can
 * run is a warning: jobs go only to servers that can run them. Returns a one-line summary.
 */
export async function assertSpecRunnable(comfy: ComfyUiSession, steps: readonly ResolvedStep[], reporter: Reporter): Promise<string> {
  const catalogues = await Promise.all(comfy.urls.map((url) => comfy.catalogues.get(url)));
  const results = preflightSteps(steps, catalogues);
  const blocked = results.filter((r) => r.runnable.length === 0);
  if (blocked.length > 0) {
    const problems = blocked.reduce((sum, r) => sum + r.servers.reduce((n, s) => n + s.problems.length, 0), 0);
    throw new CliError(
      'INVALID_INPUT',
      `${blocked.length} of ${results.length} workflow(s) cannot run on ${comfy.urls.length > 1 ? 'any server' : 'the server'} (${problems} problem(s)); nothing was queued:\n` +
        blocked.map((r) => describeBlocked(r)).join('\n') +
        '\n  fix: put the missing files into the server\'s models folders (or install the missing nodes), or change the spec to what the server offers (`kiln models`)',
      { details: { preflight: blocked.flatMap(problemRecords) } },
    );
  }
  for (const result of results.filter((r) => r.runnable.length < comfy.urls.length)) {
    const lacking = result.servers.filter((s) => s.problems.length > 0);
    reporter.warn(
      `${what(result)} runs only on ${result.runnable.map(redactUrl).join(', ')}; its jobs will wait for those: ` +
        lacking.map((s) => `${redactUrl(s.server)} lacks ${s.problems.map((p) => (p.code === 'missing_node_class' ? p.classType : `${p.input} '${String(p.value)}'`)).join(', ')}`).join('; '),
    );
  }
  return `${results.length} workflow(s) checked against ${catalogues.map((c) => `${redactUrl(c.server)} (${c.identity})`).join(', ')}`;
}

function what(result: StepPreflight): string {
  return `item '${result.item}'${result.workflow === 'child' ? ' (child workflow)' : ''}`;
}

function describeBlocked(result: StepPreflight): string {
  return result.servers
    .map((s) => `  ${what(result)} on ${redactUrl(s.server)}:\n${s.problems.map((p) => `    - ${describeProblem(p)}`).join('\n')}`)
    .join('\n');
}

function problemRecords(result: StepPreflight): Array<Record<string, unknown>> {
  return result.servers.flatMap((s) =>
    s.problems.map((p) => ({ item: result.item, workflow: result.workflow, server: redactUrl(s.server), ...p })),
  );
}
