/** How often the server hands freed native memory back (ms). */
const TRIM_EVERY_MS = 10_000;

/**
 * Every {@link TRIM_EVERY_MS}, give the memory that threads have freed back to
 * the system (glibc's `malloc_trim(0)`, through the koffi FFI). glibc keeps
 * what a thread frees in that thread's arena, and raises its trim threshold to
 * the largest block freed, so after a burst of thread work (scene threads,
 * room simulations, upload decoding, naive-logmel at the shortest hop) RSS
 * would stay near its peak though the memory is free: 200 MB where 100 MB is
 * in use, measured after a 10 s naive-logmel stream at a 40 ms hop. One trim
 * takes 0.2–5 ms of the event loop. Where there is no glibc (macOS, musl),
 * nothing runs. Returns a function that stops the timer.
 */
export async function trimFreedMemory(everyMs = TRIM_EVERY_MS): Promise<() => void> {
  const mallocTrim = await loadMallocTrim();
  if (mallocTrim === null) return () => undefined;
  const timer = setInterval(() => mallocTrim(0), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function loadMallocTrim(): Promise<((pad: number) => number) | null> {
  if (process.platform !== 'linux') return null;
  try {
    const { default: koffi } = await import('koffi');
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    // musl or no libc.so.6: its allocator gives memory back its own way.
    return null;
  }
}
