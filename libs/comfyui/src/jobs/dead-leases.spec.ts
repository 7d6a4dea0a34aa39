import { spawnSync } from 'node:child_process';
import { isDeadLocalOwner } from './dead-leases';

describe('isDeadLocalOwner', () => {
  const deadPid = (() => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return Number(child.stdout.toString());
  })();

  it('is true only for an owner of this host whose process is gone', () => {
    expect(isDeadLocalOwner(`box:${deadPid}:abcd1234`, 'box')).toBe(true);
    expect(isDeadLocalOwner(`box:${process.pid}:abcd1234`, 'box')).toBe(false); // this process
    expect(isDeadLocalOwner(`box:${process.ppid}:abcd1234`, 'box')).toBe(false); // alive
    expect(isDeadLocalOwner(`other:${deadPid}:abcd1234`, 'box')).toBe(false); // another host decides
  });

  it('keeps host names with colons apart and ignores owners of another shape', () => {
    expect(isDeadLocalOwner(`fe80::1:${deadPid}:abcd1234`, 'fe80::1')).toBe(true);
    expect(isDeadLocalOwner('cli-run', 'box')).toBe(false);
    expect(isDeadLocalOwner('box:notapid:abcd', 'box')).toBe(false);
  });
});
