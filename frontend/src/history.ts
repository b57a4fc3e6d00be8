// Undo/redo of editor snapshots. ``push`` with the same ``coalesce`` key as the last
// push replaces it, so typing a word is one undo step and not one per letter.
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | null = null;

  constructor(
    private present: T,
    private readonly limit = 200,
  ) {}

  get current(): T {
    return this.present;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  push(next: T, coalesce: string | null = null): void {
    if (coalesce === null || coalesce !== this.lastKey || this.past.length === 0) {
      this.past.push(this.present);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.present = next;
    this.future = [];
    this.lastKey = coalesce;
  }

  undo(): T | undefined {
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.future.push(this.present);
    this.present = previous;
    this.lastKey = null;
    return previous;
  }

  redo(): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(this.present);
    this.present = next;
    this.lastKey = null;
    return next;
  }

  reset(present: T): void {
    this.past = [];
    this.future = [];
    this.present = present;
    this.lastKey = null;
  }
}
