import { useState, type FormEvent, type ReactNode } from "react";
import type { ChallengeEvent, ChallengeOutput, ChallengeView } from "@pushflow/core";
import { METHOD_TEXT, OUTCOME_TEXT } from "./outcome-text.ts";

export interface ChallengeScreenProps {
  /** The flow's whitelisted view (core's `challengeView`, or a handle's `view()`): no secret in it. */
  readonly view: ChallengeView;
  /** The outcome, once the flow is done. Only the new recovery code of it is shown; tokens never. */
  readonly output?: ChallengeOutput | undefined;
  /** Sends an event into the flow (the handle's `send`); one that does not apply is ignored. */
  readonly send: (event: ChallengeEvent) => void;
}

/**
 * The push-challenge screen: one branch per state of the challenge machine, and one per outcome.
 * It only reads the view and sends events: the flow logic stays in @pushflow/core.
 */
export function ChallengeScreen({ view, output, send }: ChallengeScreenProps) {
  if (output) return <OutcomeScreen output={output} />;
  const device = view.choices.find((c) => c.id === view.authenticatorId);
  const cancel = <button type="button" onClick={() => send({ type: "CANCEL" })}>Cancel</button>;

  switch (view.state) {
    case "listing":
      return <Panel title="Looking up your devices…">{cancel}</Panel>;
    case "retryingList":
    case "retryingChallenge":
      return <Panel title="Can't reach the server" note="Trying again in a moment…">{cancel}</Panel>;
    case "choosing":
      return (
        <Panel title="Choose a device" note="Where should we send the notification?">
          <ul>
            {view.choices.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => send({ type: "CHOOSE_AUTHENTICATOR", id: c.id })}>{c.name ?? c.id}</button>
              </li>
            ))}
          </ul>
          {cancel}
        </Panel>
      );
    case "challenging":
      return <Panel title="Sending a notification…">{cancel}</Panel>;
    case "challenged.polling":
      return (
        <Panel title="Check your phone" note={`Approve the notification we sent${device?.name ? ` to ${device.name}` : ""}.`}>
          <button type="button" disabled={!view.canResend} onClick={() => send({ type: "RESEND" })}>
            {view.canResend ? "Resend notification" : "Resend available soon"}
          </button>
          <button type="button" onClick={() => send({ type: "USE_OTP" })}>Use a one-time code</button>
          <button type="button" onClick={() => send({ type: "USE_RECOVERY_CODE" })}>Use a recovery code</button>
          {cancel}
        </Panel>
      );
    case "challenged.resending":
      return <Panel title="Sending another notification…">{cancel}</Panel>;
    case "challenged.otpEntry":
      return (
        <CodeForm
          title="Enter the code from the Guardian app"
          label="6-digit code"
          error={view.codeError}
          submit={(otp) => send({ type: "SUBMIT_OTP", otp })}
        >
          <button type="button" onClick={() => send({ type: "USE_RECOVERY_CODE" })}>Use a recovery code</button>
          <button type="button" onClick={() => send({ type: "BACK_TO_PUSH" })}>Back to the notification</button>
          {cancel}
        </CodeForm>
      );
    case "challenged.verifyingOtp":
      return <Panel title="Checking your code…" />;
    case "challenged.recoveryEntry":
      return (
        <CodeForm
          title="Enter a recovery code"
          label="Recovery code"
          error={view.codeError}
          submit={(code) => send({ type: "SUBMIT_RECOVERY_CODE", code })}
        >
          <button type="button" onClick={() => send({ type: "USE_OTP" })}>Use a one-time code</button>
          <button type="button" onClick={() => send({ type: "BACK_TO_PUSH" })}>Back to the notification</button>
          {cancel}
        </CodeForm>
      );
    case "challenged.verifyingRecoveryCode":
      return <Panel title="Checking your recovery code…" />;
    default:
      // A state this screen does not know (a newer pushflow): say so rather than show nothing.
      return <Panel title="Please wait…" note={view.state} />;
  }
}

/** The end of the flow: what happened and what to do next. */
export function OutcomeScreen({ output }: { readonly output: ChallengeOutput }) {
  const text = OUTCOME_TEXT[output.outcome];
  return (
    <Panel title={text.title} note={output.outcome === "approved" ? `Signed in ${METHOD_TEXT[output.method]}.` : output.reason}>
      {output.outcome === "approved" && output.newRecoveryCode !== undefined ? (
        <p role="alert">
          Your recovery code was used up. Save this new one now, it is shown only once: <code>{output.newRecoveryCode}</code>
        </p>
      ) : null}
      <p>{text.next}</p>
    </Panel>
  );
}

export function Panel({ title, note, children }: { readonly title: string; readonly note?: string; readonly children?: ReactNode }) {
  return (
    <section aria-live="polite">
      <h1>{title}</h1>
      {note ? <p>{note}</p> : null}
      {children}
    </section>
  );
}

function CodeForm(props: { title: string; label: string; error: string | undefined; submit: (code: string) => void; children: ReactNode }) {
  const [code, setCode] = useState("");
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    props.submit(code);
  };
  return (
    <Panel title={props.title}>
      <form onSubmit={onSubmit}>
        <label>
          {props.label} <input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" />
        </label>
        {props.error ? <p role="alert">{props.error}</p> : null}
        <button type="submit">Verify</button>
      </form>
      {props.children}
    </Panel>
  );
}
