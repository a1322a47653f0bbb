/** A one-shot gate for ordering concurrent steps in a test without sleeping: `await latch.opened` waits for `open()`. */
export interface Latch<T> {
  readonly opened: Promise<T>;
  open(value: T): void;
}

export function latch<T = void>(): Latch<T> {
  let open: (value: T) => void = () => undefined;
  const opened = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
