import type { ChallengeView, FlowView } from "@pushflow/core";
import type { CliHandle } from "./handle.ts";
import type { Command, Input, Question } from "./terminal/input.ts";

export interface InteractOptions {
  readonly handle: CliHandle;
  readonly input: Input;
  /** A message about a command (an unknown key, a resend too early). */
  readonly say: (text: string) => void;
  /** Shows a prompt that `input` does not show itself (line input in the person's view); absent with --json. */
  readonly showPrompt?: (text: string) => void;
  /** Hold the status line while a prompt is open at a terminal. */
  readonly hold?: (held: boolean) => void;
}

/**
 * Turns what the person types into flow events, following the flow's state: keys or commands
 * while waiting, and the questions a state asks (which authenticator, a code, the recovery-code
 * acknowledgement). A question is withdrawn once its state has passed. The CLI sends no event of
 * its own: without a person to ask, the flow acknowledges recovery codes itself (run-flow passes
 * core's `acknowledgeRecoveryCodes: "auto"`).
 */
export function interact(options: InteractOptions): void {
  const { handle, input, say } = options;
  let view: FlowView | undefined;
  let open: { readonly state: string; readonly question: Question } | undefined;
  let ack: Question | undefined;
  let acked = false;
  /** Commands typed before the push went out (`echo "o 123456" | pushflow challenge …`) wait for it. */
  const early: Command[] = [];

  const ask = (prompt: string): Question => {
    if (!input.interactive) {
      options.showPrompt?.(prompt);
      return input.ask("");
    }
    options.hold?.(true);
    const question = input.ask(prompt);
    void question.answer.finally(() => options.hold?.(false));
    return question;
  };

  const acknowledge = () => {
    if (acked || ack) return;
    ack = ask("Press Enter once you have saved the recovery code somewhere safe: ");
    void ack.answer.then((line) => {
      ack = undefined;
      if (line !== undefined) {
        acked = true;
        handle.send({ type: "ACK_RECOVERY_CODES" });
      } else if (input.ended && view?.state === "awaitingAcknowledgement") stuck("awaitingAcknowledgement");
    });
  };

  const askIn = (state: string, prompt: string, onAnswer: (line: string) => void) => {
    if (open?.state === state) return;
    const question = ask(prompt);
    open = { state, question };
    void question.answer.then((line) => {
      if (open?.question === question) open = undefined;
      if (line !== undefined) onAnswer(line.trim());
      else if (input.ended && view?.state === state) stuck(state);
    });
  };

  /** Stdin ended while a state waits for an answer: nothing will ever come. */
  const stuck = (state: string) => {
    say(
      state === "choosing"
        ? "pushflow: several push authenticators and no input to choose one: pass --authenticator-id"
        : state === "awaitingAcknowledgement"
          ? "pushflow: stdin ended while the recovery codes waited for an acknowledgement"
          : "pushflow: stdin ended while a code was asked for",
    );
    handle.cancel();
  };

  const onChallengeState = (v: ChallengeView) => {
    if (v.state === "choosing") {
      if (open?.state !== "choosing") v.choices.forEach((c, i) => say(`  ${i + 1}) ${c.name ?? "Guardian"} (${c.id})`));
      askIn("choosing", `Choose a push authenticator [1-${v.choices.length}]: `, (line) => {
        const choice = v.choices[Number(line) - 1] ?? v.choices.find((c) => c.id === line);
        if (choice) handle.send({ type: "CHOOSE_AUTHENTICATOR", id: choice.id });
        else {
          say(`No authenticator "${line}".`);
          onChallengeState(v);
        }
      });
    } else if (v.state === "challenged.otpEntry") {
      askIn(v.state, `${v.codeError ? `${v.codeError} ` : ""}One-time code from the app (Enter: back to the push): `, (line) =>
        handle.send(line === "" ? { type: "BACK_TO_PUSH" } : { type: "SUBMIT_OTP", otp: line }),
      );
    } else if (v.state === "challenged.recoveryEntry") {
      askIn(v.state, `${v.codeError ? `${v.codeError} ` : ""}Recovery code (Enter: back to the push): `, (line) =>
        handle.send(line === "" ? { type: "BACK_TO_PUSH" } : { type: "SUBMIT_RECOVERY_CODE", code: line }),
      );
    }
  };

  handle.events.on("recovery-codes", acknowledge);
  handle.events.on("state", ({ view: next }) => {
    view = next;
    if (open && open.state !== next.state) {
      open.question.cancel();
      open = undefined;
    }
    if (next.done) {
      ack?.cancel();
      return;
    }
    // A resumed enrollment: the codes went to the previous process, but the flow still waits for the acknowledgement.
    if (next.flow === "enroll" && next.state === "awaitingAcknowledgement") acknowledge();
    if (next.flow === "challenge") onChallengeState(next);
    if (next.state === "challenged.polling") for (const command of early.splice(0)) onCommand(command);
  });
  input.onCommand((command) => onCommand(command));

  function onCommand({ word, rest }: Command) {
    if (word === "c" || word === "q" || word === "cancel") return handle.cancel();
    if (view?.flow === "enroll") return say(`Unknown command "${word}": c cancels.`);
    if (view === undefined || !view.state.startsWith("challenged.")) return void early.push({ word, rest });
    switch (word) {
      case "o":
      case "otp":
        handle.send({ type: "USE_OTP" });
        if (rest) handle.send({ type: "SUBMIT_OTP", otp: rest });
        return;
      case "r":
      case "recovery":
        handle.send({ type: "USE_RECOVERY_CODE" });
        if (rest) handle.send({ type: "SUBMIT_RECOVERY_CODE", code: rest });
        return;
      case "s":
      case "resend":
        if (view.canResend) return handle.send({ type: "RESEND" });
        return say(
          view.resendAvailableAt === undefined
            ? "The push cannot be sent again now."
            : `The push can be sent again in ${Math.max(1, Math.ceil((view.resendAvailableAt - Date.now()) / 1000))} s.`,
        );
      case "p":
      case "push":
        return handle.send({ type: "BACK_TO_PUSH" });
      default:
        return say(`Unknown command "${word}": o (one-time code), r (recovery code), s (resend), p (push), c (cancel).`);
    }
  }
}
