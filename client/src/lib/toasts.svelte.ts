/** A message on screen; `count`: how many times the same toast came (identical ones collapse into one). */
export interface Toast { id: number; level: 'error' | 'info'; code: string; message: string; count: number }

/** The toasts shown: at most five; errors stay 9 s, notes 4 s. */
export class Toasts {
  list = $state.raw<Toast[]>([]);
  private lastId = 0;

  /** Show a toast; one identical to a toast still shown collapses into it (its count goes up, its timer restarts). */
  notify(level: Toast['level'], code: string, message: string): void {
    const same = this.list.find((t) => t.level === level && t.code === code && t.message === message);
    const toast = { id: ++this.lastId, level, code, message, count: (same?.count ?? 0) + 1 };
    this.list = [...this.list.filter((t) => t !== same).slice(-4), toast];
    setTimeout(() => this.dismiss(toast.id), level === 'error' ? 9000 : 4000);
  }

  /** An error as a toast: its EARSHOT_* code (ERROR when it has none) and its message. */
  fail(err: unknown): void {
    const e = err as { code?: string; message?: string };
    this.notify('error', e.code ?? 'ERROR', e.message ?? String(err));
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
  }
}
