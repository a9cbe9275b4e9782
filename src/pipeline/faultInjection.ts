/**
 * Fault injection, a hook for tests: `injectFault('slidingWindows')` makes
 * the next subscription of the step of that name (see operate.ts) throw in
 * its first handler call, as a bug in that step would; `injectFault('stats ID')`
 * makes the server's next reading of stream ID's stats throw. It lets a test prove,
 * under a running server, that one stream's broken step ends that stream
 * alone. Nothing in earshot arms it; an unarmed step pays one map lookup per
 * subscription.
 */
const armed = new Map<string, Error>();

/** Arm a one-shot fault for the next subscription of the step `name`. */
export function injectFault(name: string, error: Error = new Error(`fault injected into ${name}`)): void {
  armed.set(name, error);
}

/** The fault armed for `name`, disarmed as it is taken (undefined: none). */
export function takeFault(name: string): Error | undefined {
  const fault = armed.get(name);
  armed.delete(name);
  return fault;
}
