const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function splitHostPort(hostPort: string): [string, string | undefined] {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
  return match ? [match[1].toLowerCase(), match[2]] : [hostPort.toLowerCase(), undefined];
}

/**
 * ComfyUI's default origin middleware: with both Host and Origin, and a loopback Host, they must name
 * the same host (a missing port on either side is ignored). True when the request must get a 403.
 */
export function isCrossOriginToLoopback(host: string | undefined, origin: string | undefined): boolean {
  if (!host || !origin) return false;
  const [hostName, hostPort] = splitHostPort(host);
  if (!LOOPBACK_HOSTS.has(hostName)) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  const [originName, originPort] = splitHostPort(originHost);
  if (hostName !== originName) return true;
  return hostPort !== undefined && originPort !== undefined && hostPort !== originPort;
}
