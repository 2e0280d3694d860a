/** Where the person-facing output goes: lines, plus one status line redrawn in place at a terminal. */
export interface Screen {
  /** Prints a line (above the status line, which is drawn again after it). */
  line(text?: string): void;
  /** Sets the status line (e.g. a countdown); `undefined` removes it. Plain lines when not a terminal. */
  status(text: string | undefined): void;
  /** Holds the status line, and queues lines, while a prompt owns the cursor. */
  hold(held: boolean): void;
}

export interface ScreenStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export function createScreen(stream: ScreenStream): Screen {
  const tty = stream.isTTY === true;
  let current: string | undefined;
  let shown = false;
  let held = false;
  const queued: string[] = [];

  const erase = () => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  const draw = () => {
    if (!tty || held || current === undefined) return;
    stream.write(`\r\x1b[2K${current}`);
    shown = true;
  };

  return {
    line(text = "") {
      if (held) return void queued.push(text);
      erase();
      stream.write(`${text}\n`);
      draw();
    },
    status(text) {
      if (!tty) {
        // Without a terminal the status would pile up: print it only when it says something new.
        if (text !== undefined && text !== current) stream.write(`${text}\n`);
        current = text;
        return;
      }
      if (text === current && (shown || held)) return;
      current = text;
      if (text === undefined) erase();
      else draw();
    },
    hold(value) {
      held = value;
      if (held) return erase();
      for (const text of queued.splice(0)) stream.write(`${text}\n`);
      draw();
    },
  };
}
