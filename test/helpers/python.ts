import { execFileSync } from 'node:child_process';

/** True when Debian's python3 with numpy is there to read back what earshot writes (CI installs python3-numpy). */
export const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy']);
    return true;
  } catch {
    return false;
  }
})();
