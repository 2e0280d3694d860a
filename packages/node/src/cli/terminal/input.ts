import { createInterface, emitKeypressEvents, type Interface } from "node:readline";

/** One command from the person: a key at a terminal, or a line (`o 123456`) otherwise. */
export interface Command {
  /** The key or the line's first word, lower case. */
  readonly word: string;
  /** The rest of the line (a code typed after `o` or `r`); empty for a key. */
  readonly rest: string;
}

/** A question being asked; `cancel` withdraws it (the state it was about has passed). */
export interface Question {
  readonly answer: Promise<string | undefined>;
  cancel(): void;
}

export interface Input {
  /** True when answers come from a person at a terminal (keys and edited lines). */
  readonly interactive: boolean;
  /** True once stdin has ended: no answer will come. */
  readonly ended: boolean;
  onCommand(handler: (command: Command) => void): void;
  /** Asks for one line; at a terminal the prompt is shown and edited, otherwise the next stdin line answers. */
  ask(prompt: string): Question;
  close(): void;
}

export interface InputStreams {
  readonly stdin: NodeJS.ReadStream;
  /** Where prompts go (a terminal's stdout, or stderr). */
  readonly prompts: NodeJS.WritableStream;
  /** Keys at a terminal; otherwise lines. */
  readonly keys: boolean;
}

/** Keys at a terminal (raw mode, one key acts), lines otherwise (scripts, pipes). */
export function createInput(streams: InputStreams): Input {
  return streams.keys && streams.stdin.isTTY ? keyInput(streams) : lineInput(streams.stdin);
}

function lineInput(stdin: NodeJS.ReadStream): Input {
  const rl = createInterface({ input: stdin, terminal: false });
  let handler: (command: Command) => void = () => {};
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  rl.on("line", (line) => {
    const next = waiting.shift();
    if (next) return next(line);
    const text = line.trim();
    if (text === "") return;
    const [word = "", ...rest] = text.split(/\s+/);
    handler({ word: word.toLowerCase(), rest: rest.join(" ") });
  });
  rl.on("close", () => {
    ended = true;
    for (const next of waiting.splice(0)) next(undefined);
  });
  return {
    interactive: false,
    get ended() {
      return ended;
    },
    onCommand: (fn) => void (handler = fn),
    ask() {
      let resolve: (line: string | undefined) => void = () => {};
      const answer = new Promise<string | undefined>((r) => (resolve = r));
      if (ended) resolve(undefined);
      else waiting.push(resolve);
      return {
        answer,
        cancel: () => {
          const index = waiting.indexOf(resolve);
          if (index >= 0) waiting.splice(index, 1);
          resolve(undefined);
        },
      };
    },
    close: () => {
      rl.close();
      stdin.destroy();
    },
  };
}

function keyInput({ stdin, prompts }: InputStreams): Input {
  let handler: (command: Command) => void = () => {};
  let asking: Interface | undefined;
  const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean; sequence?: string } | undefined) => {
    if (asking) return;
    // Raw mode swallows Ctrl-C: treat it as the SIGINT it would have been.
    if (key?.ctrl && key.name === "c") return void process.emit("SIGINT");
    const word = (key?.name ?? text ?? "").toLowerCase();
    if (word.length === 1) handler({ word, rest: "" });
  };
  const listen = () => {
    emitKeypressEvents(stdin);
    stdin.setRawMode(true);
    stdin.resume();
  };
  stdin.on("keypress", onKey);
  listen();
  return {
    interactive: true,
    ended: false,
    onCommand: (fn) => void (handler = fn),
    ask(prompt) {
      stdin.setRawMode(false);
      const rl = createInterface({ input: stdin, output: prompts, terminal: true });
      asking = rl;
      let resolve: (line: string | undefined) => void = () => {};
      const answer = new Promise<string | undefined>((r) => (resolve = r));
      let done = false;
      const finish = (line: string | undefined) => {
        if (done) return;
        done = true;
        asking = undefined;
        rl.close();
        listen();
        resolve(line);
      };
      rl.question(prompt, (line) => finish(line));
      rl.on("SIGINT", () => {
        finish(undefined);
        process.emit("SIGINT");
      });
      rl.on("close", () => finish(undefined));
      return {
        answer,
        cancel: () => {
          if (!done) prompts.write("\n");
          finish(undefined);
        },
      };
    },
    close: () => {
      asking?.close();
      stdin.removeListener("keypress", onKey);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    },
  };
}
